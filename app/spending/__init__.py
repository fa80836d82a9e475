"""Non-pay spending: room hire, materials, training invoices and the like, recorded with an
invoice or receipt against a budget line and approved by someone else in HR."""
