// An agent and everything it remembers, with actions, tags, domains and partners.
// In Neo4j Browser first run:  :param agent => 'alice'
MATCH (a:Agent {id: $agent})-[r:REMEMBERS]->(m:Memory)
OPTIONAL MATCH (m)-[link]->(n)
RETURN a, r, m, link, n
LIMIT 300
