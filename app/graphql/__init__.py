"""The GraphQL layer at /graphql for the web frontend: strawberry types and resolvers over the REST services.

Settings (environment variables): GRAPHQL_GRAPHIQL (default true) serves the GraphiQL IDE on GET /graphql;
GRAPHQL_INTROSPECTION (default true) allows introspection queries. Production deployments that do not want
the schema browsable set both to false; the SDL is published in schemas/schema.graphql either way.
"""
