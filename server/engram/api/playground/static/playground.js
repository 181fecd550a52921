// Engram's playground: GraphiQL + the explorer plugin, talking to this page's own /graphql.
// Put your key in the Headers tab: {"Authorization": "Bearer eng_…"} (kept in this browser's localStorage).
(function () {
  "use strict";
  var WELCOME = [
    "# Engram Memory: GraphQL playground",
    "#",
    "# 1. Open the Headers tab below and paste your key:",
    '#      {"Authorization": "Bearer eng_…"}',
    "#    (`engram agent create alice` prints one.)",
    "# 2. Run a query with Ctrl-Enter or the play button.",
    "",
    "query {",
    "  viewer { agentId keyPrefix }",
    '  suggest(context: "auth API request timed out while fetching a token") {',
    "    recommended rationale",
    "    actions { action successRate agents { name } }",
    "  }",
    "}",
    "",
  ].join("\n");

  var params = new URLSearchParams(window.location.search);
  var fetcher = GraphiQL.createFetcher({ url: window.location.origin + window.location.pathname });

  function Playground() {
    var explorer = GraphiQLPluginExplorer.explorerPlugin();
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: WELCOME,
      query: params.get("query") || undefined,
      defaultEditorToolsVisibility: true,
      plugins: [explorer],
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(Playground));
})();
