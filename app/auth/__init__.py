"""Bearer tokens, roles and the dependencies that say who may call an endpoint."""
