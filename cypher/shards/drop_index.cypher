// A shard index the current shard count no longer uses.
DROP INDEX $name IF EXISTS
