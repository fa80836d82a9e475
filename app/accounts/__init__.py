"""Accounts for real people: staff accounts, parents' invitations, password resets."""
