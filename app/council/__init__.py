"""The council's side of the contract: the providers it commissions and the areas it covers."""
