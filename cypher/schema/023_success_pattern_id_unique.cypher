CREATE CONSTRAINT success_pattern_id_unique IF NOT EXISTS FOR (p:SuccessPattern) REQUIRE p.id IS UNIQUE
