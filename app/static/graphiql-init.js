// Starts GraphiQL on GET /graphql: strawberry's start-up script, as a file so the CSP allows scripts from
// 'self' only. Differences: no js-cookie/CSRF header (bearer tokens), no subscriptions (the API has none),
// and a first query for this API.
(function () {
  "use strict";

  var EXAMPLE_QUERY = [
    "# 妇儿规划监测 GraphQL",
    "#",
    "# Every operation needs a token: open Headers",
    "# below and enter",
    '#   {"Authorization": "Bearer fep_…"}',
    "# Ctrl-Enter runs, Ctrl-Space completes; the",
    "# book icon on the left shows the schema.",
    "",
    "{",
    "  plans(limit: 10) {",
    "    total",
    "    items { code title startYear endYear }",
    "  }",
    "}",
    "",
  ].join("\n");

  // Query, variables and headers can be shared in the URL (?q=…&variables=…&headers=…), as in strawberry.
  var parameters = {};
  window.location.search
    .slice(1)
    .split("&")
    .forEach(function (entry) {
      var eq = entry.indexOf("=");
      if (eq >= 0) {
        parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(entry.slice(eq + 1));
      }
    });

  function updateURL(data) {
    Object.assign(parameters, data);
    var search =
      "?" +
      Object.keys(parameters)
        .filter(function (key) {
          return Boolean(parameters[key]);
        })
        .map(function (key) {
          return encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]);
        })
        .join("&");
    history.replaceState(null, null, search);
  }

  var fetcher = GraphiQL.createFetcher({ url: window.location.href.split("?")[0] });

  function GraphiQLWithExplorer() {
    var queryState = React.useState(parameters.q || EXAMPLE_QUERY);
    var variablesState = React.useState(parameters.variables);
    var headersState = React.useState(parameters.headers);
    var explorerPlugin = GraphiQLPluginExplorer.explorerPlugin();

    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      plugins: [explorerPlugin],
      query: queryState[0],
      variables: variablesState[0],
      headers: headersState[0],
      onEditQuery: function (query) {
        queryState[1](query);
        updateURL({ q: query });
      },
      onEditVariables: function (variables) {
        variablesState[1](variables);
        updateURL({ variables: variables });
      },
      onEditHeaders: function (headers) {
        headersState[1](headers);
      },
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(GraphiQLWithExplorer));
})();
