CREATE CONSTRAINT prevention_check_id_unique IF NOT EXISTS FOR (c:PreventionCheck) REQUIRE c.id IS UNIQUE
