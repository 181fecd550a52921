CREATE CONSTRAINT failure_pattern_id_unique IF NOT EXISTS FOR (p:FailurePattern) REQUIRE p.id IS UNIQUE
