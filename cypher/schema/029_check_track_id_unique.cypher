CREATE CONSTRAINT check_track_id_unique IF NOT EXISTS FOR (t:CheckTrack) REQUIRE t.id IS UNIQUE
