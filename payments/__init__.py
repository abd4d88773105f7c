"""Pledges and payments: gateway (demo or Stripe), pledge services, matching, webhooks,
campaign closing and emails. Views and commands call these modules; money logic lives
nowhere else."""
