// The stored memories for a list of {agent_id, id} refs (without their embeddings), each datetime as
// [epoch seconds of its whole second, microsecond, UTC offset seconds] (the whole second, as epochSeconds
// alone rounds toward 1970): the driver's own datetime values take ~50 µs each to build, which was most of
// reading 150 memories of evidence (engram.storage.records.instant). A memory deleted while this runs
// (retention) reads as nulls from then on, and is left out.
UNWIND $refs AS ref
MATCH (m:Memory {agent_id: ref.agent_id, id: ref.id})
WITH m {.*, context_embedding: null,
        created_at: [t IN [m.created_at] WHERE t IS NOT NULL | [datetime.truncate('second', t).epochSeconds, t.microsecond, t.offsetSeconds]][0],
        last_accessed: [t IN [m.last_accessed] WHERE t IS NOT NULL | [datetime.truncate('second', t).epochSeconds, t.microsecond, t.offsetSeconds]][0],
        first_seen: [t IN [m.first_seen] WHERE t IS NOT NULL | [datetime.truncate('second', t).epochSeconds, t.microsecond, t.offsetSeconds]][0],
        last_seen: [t IN [m.last_seen] WHERE t IS NOT NULL | [datetime.truncate('second', t).epochSeconds, t.microsecond, t.offsetSeconds]][0]} AS memory
WHERE memory.id IS NOT NULL AND memory.agent_id IS NOT NULL AND memory.memory_type IS NOT NULL
RETURN memory
