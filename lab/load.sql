-- pgbench script used by `lab/lab load` (runs through PgBouncer as ops).
-- Reads users, writes a message for now() so WAL flows to the replicas.
\set uid random(1, 1000)
\set conv random(0, 399)
SELECT id, email, name, tier FROM users WHERE id = :uid;
INSERT INTO conversation_message (conversation_id, sender_id, body, created_at)
  VALUES (substr(md5(:conv::text), 1, 6), :uid, 'load message from user ' || :uid, now());
SELECT count(*) FROM conversation_message WHERE conversation_id = 'abc123' AND created_at > now() - interval '1 day';
