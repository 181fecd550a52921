CREATE CONSTRAINT retention_policy_id_unique IF NOT EXISTS FOR (p:RetentionPolicy) REQUIRE p.id IS UNIQUE
