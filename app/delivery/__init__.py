"""Delivery against the commissioned model: the offers and their plan, sessions delivered,
families reached (counts only: no child's or family's name is ever stored) and the
workforce hours behind them."""
