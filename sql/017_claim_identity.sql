-- sql/017_claim_identity.sql — the identity of a claim line and of a stay,
-- indexed on its own (issue 17 A6).
--
-- The merge compares each line of a batch with the stored line of the same
-- identity whoever's it is: the same DCIR keys (or ETA_NUM + RSA_NUM) under
-- another person is a conflict, not a second line. The primary keys lead
-- with ins_c, so that probe needs these indexes. Not unique: on Citus the
-- tables are distributed by ins_c, and a unique index must hold it.

SET LOCAL ROLE dmpremb_owner;
SET LOCAL search_path TO dmpremb;

-- (through EXECUTE: on a distributed database Citus sends a CREATE INDEX to
-- the shards in a way that fails inside a multi-statement migration, "cannot
-- insert multiple commands into a prepared statement", as 012's CHECK did)
DO $$
BEGIN
    EXECUTE 'CREATE INDEX claim_line_identity ON claim_line (line_key)';
    EXECUTE 'CREATE INDEX hospital_stay_identity ON hospital_stay (eta_num, rsa_num)';
END $$;
