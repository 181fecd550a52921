CREATE CONSTRAINT installation_name_unique IF NOT EXISTS FOR (i:Installation) REQUIRE i.name IS UNIQUE
