CREATE CONSTRAINT share_grant_id_unique IF NOT EXISTS FOR (g:ShareGrant) REQUIRE g.id IS UNIQUE
