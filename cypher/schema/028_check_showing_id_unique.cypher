CREATE CONSTRAINT check_showing_id_unique IF NOT EXISTS FOR (s:CheckShowing) REQUIRE s.id IS UNIQUE
