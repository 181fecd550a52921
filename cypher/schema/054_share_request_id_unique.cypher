CREATE CONSTRAINT share_request_id_unique IF NOT EXISTS FOR (r:ShareRequest) REQUIRE r.id IS UNIQUE
