CREATE CONSTRAINT execution_result_id_unique IF NOT EXISTS FOR (r:ExecutionResult) REQUIRE r.id IS UNIQUE
