import SynprefCore

/// The one schema both stores use, written out per SQL dialect side by side so that the
/// two stay the same: tables, columns, constraints and the append-only triggers.
///
/// - `pairs`: one row per content hash. `context` is the canonical (`ConversationCodec`) array of the
///   conversation, `chosen`/`rejected` the canonical (`ConversationCodec`) objects of the responses;
///   `*_chars` are lengths in Unicode scalars (for stats); `contaminated_by` names the
///   benchmark a pair overlaps (such pairs are discarded and never exported); `import_id`
///   is the import run that wrote the row; times are Unix seconds.
/// - `attributes`: the 5-tuple per pair (latest wins; who set it and when).
/// - `labels`: append-only label log (labeler kind + id, label, confidence p, rationale, time).
/// - `tier_moves`: append-only log of tier changes (from, to, reason, actor, time).
/// - `tasks`: the work queue: what to do (`kind`, `payload`, optional `pair_id`), how many
///   distinct workers it needs (`required_workers`), and counters of its claims: `attempts`
///   (all), `held` (state `leased`), `completed` (`done`), `failures` (`released` or
///   `expired`). `state` follows from the counters (see `taskState`).
/// - `task_claims`: one row per (task, worker): the lease, its state (`leased`, `done`,
///   `released`, `expired`), and the worker's result or error. A `done` claim is final:
///   triggers refuse to update or delete it.
/// - `responses`: LLM judges' answers by the SHA-256 of the exact request (the judges'
///   answer cache when they work from a store): judge, answer text, token counts.
/// - `embeddings`: one vector per (embedder fingerprint, pair), f32 or f16 little-endian.
/// - `curation_projects`, `curation_steps`: a curation project's configuration and the record
///   of every step of every round (state, times, and what it did as JSON).
/// - `users`, `sessions`: the annotation app's accounts (role, password hash, disabled) and
///   login sessions (by the SHA-256 of the cookie's token, with the session's CSRF token).
/// - `annotation_projects`: an annotation project's settings (a JSON text: guideline,
///   overlap, priority), changed by admins.
/// - `synpref_meta`: `schema_version`.
///
/// `sqlite[v - 1]` and `postgres[v - 1]` bring a store from version `v - 1` to `v`; a new
/// store runs them all, an older one the steps it is missing, in one transaction.
enum StoreSchema {
    static var version: Int { sqlite.count }

    static let meta = "CREATE TABLE IF NOT EXISTS synpref_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
    static func setVersion(_ version: Int) -> String {
        "INSERT INTO synpref_meta (key, value) VALUES ('schema_version', '\(version)') ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    }

    static let tiers = "'unverified','silver','gold','discarded'"
    static let labelerKinds = "'human','llm_judge','reward_model'"
    static let labelNames = "'chosen','rejected','tie','undetermined'"
    static let taskStates = "'pending','leased','done','failed'"
    static let claimStates = "'leased','done','released','expired'"

    static let sqlite: [[String]] = [sqliteVersion1, sqliteVersion2, sqliteVersion3, version4(real: "REAL"), sqliteVersion5]
    static let postgres: [[String]] = [postgresVersion1, postgresVersion2, postgresVersion3, version4(real: "DOUBLE PRECISION"), postgresVersion5]
    static let roles = "'admin','reviewer','annotator'"

    /// The annotation app: accounts, sessions, and annotation projects' settings; and an
    /// index for a worker's claims (the tasks an annotator holds or answered).
    static func version4(real: String) -> [String] {
        [
            """
            CREATE TABLE users (
                name TEXT PRIMARY KEY,
                role TEXT NOT NULL CHECK (role IN (\(roles))),
                password_hash TEXT NOT NULL,
                disabled BOOLEAN NOT NULL DEFAULT FALSE,
                created_at \(real) NOT NULL,
                updated_at \(real) NOT NULL)
            """,
            """
            CREATE TABLE sessions (
                token_hash TEXT PRIMARY KEY,
                user_name TEXT NOT NULL REFERENCES users (name),
                csrf TEXT NOT NULL,
                created_at \(real) NOT NULL,
                expires_at \(real) NOT NULL)
            """,
            "CREATE INDEX sessions_user ON sessions (user_name)",
            """
            CREATE TABLE annotation_projects (
                name TEXT PRIMARY KEY,
                settings TEXT NOT NULL,
                created_at \(real) NOT NULL,
                updated_at \(real) NOT NULL)
            """,
            "CREATE INDEX task_claims_worker ON task_claims (worker, state)",
        ]
    }

    /// A finished claim is an answer of record (the annotation app's answers, with the order
    /// the responses were shown in and the time spent, live in `done` claims' results): the
    /// database refuses to change or delete it. Leased claims still change state.
    static let sqliteVersion5: [String] = [
        "CREATE TRIGGER task_claims_done_no_update BEFORE UPDATE ON task_claims WHEN OLD.state = 'done' BEGIN SELECT RAISE(ABORT, 'a done task claim is final (task_claims keeps answers append-only)'); END",
        "CREATE TRIGGER task_claims_done_no_delete BEFORE DELETE ON task_claims WHEN OLD.state = 'done' BEGIN SELECT RAISE(ABORT, 'a done task claim is final (task_claims keeps answers append-only)'); END",
    ]

    static let postgresVersion5: [String] = [
        """
        CREATE OR REPLACE FUNCTION synpref_done_claim_final() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'a done task claim is final (task_claims keeps answers append-only)'; END $$
        """,
        """
        CREATE TRIGGER task_claims_done_final BEFORE UPDATE OR DELETE ON task_claims
            FOR EACH ROW WHEN (OLD.state = 'done') EXECUTE FUNCTION synpref_done_claim_final()
        """,
    ]

    static let sqliteVersion1: [String] = [
        """
        CREATE TABLE pairs (
            id INTEGER PRIMARY KEY,
            content_hash BLOB NOT NULL UNIQUE,
            source TEXT NOT NULL,
            context TEXT NOT NULL,
            chosen TEXT NOT NULL,
            rejected TEXT NOT NULL,
            margin REAL,
            tier TEXT NOT NULL DEFAULT 'unverified' CHECK (tier IN (\(tiers))),
            contaminated_by TEXT,
            origin TEXT,
            import_id TEXT,
            context_chars INTEGER NOT NULL,
            chosen_chars INTEGER NOT NULL,
            rejected_chars INTEGER NOT NULL,
            context_turns INTEGER NOT NULL,
            created_at REAL NOT NULL)
        """,
        "CREATE INDEX pairs_tier ON pairs (tier, id)",
        "CREATE INDEX pairs_source ON pairs (source)",
        """
        CREATE TABLE attributes (
            pair_id INTEGER PRIMARY KEY REFERENCES pairs (id),
            task_category TEXT NOT NULL,
            objectivity TEXT NOT NULL CHECK (objectivity IN ('objective','subjective')),
            controversiality TEXT NOT NULL CHECK (controversiality IN ('low','medium','high')),
            desired_attributes TEXT NOT NULL,
            annotation_guideline TEXT NOT NULL,
            set_by TEXT NOT NULL,
            updated_at REAL NOT NULL)
        """,
        """
        CREATE TABLE labels (
            id INTEGER PRIMARY KEY,
            pair_id INTEGER NOT NULL REFERENCES pairs (id),
            labeler_kind TEXT NOT NULL CHECK (labeler_kind IN (\(labelerKinds))),
            labeler_id TEXT NOT NULL,
            label TEXT NOT NULL CHECK (label IN (\(labelNames))),
            confidence REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
            rationale TEXT,
            created_at REAL NOT NULL)
        """,
        "CREATE INDEX labels_pair ON labels (pair_id, id)",
        """
        CREATE TABLE tier_moves (
            id INTEGER PRIMARY KEY,
            pair_id INTEGER NOT NULL REFERENCES pairs (id),
            from_tier TEXT NOT NULL CHECK (from_tier IN (\(tiers))),
            to_tier TEXT NOT NULL CHECK (to_tier IN (\(tiers))),
            reason TEXT NOT NULL,
            actor TEXT NOT NULL,
            created_at REAL NOT NULL)
        """,
        "CREATE INDEX tier_moves_pair ON tier_moves (pair_id, id)",
        """
        CREATE TABLE tasks (
            id INTEGER PRIMARY KEY,
            queue TEXT NOT NULL,
            pair_id INTEGER REFERENCES pairs (id),
            payload TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN (\(taskStates))),
            attempts INTEGER NOT NULL DEFAULT 0,
            max_attempts INTEGER NOT NULL,
            lease_owner TEXT,
            lease_expires_at REAL,
            result TEXT,
            last_error TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL)
        """,
        "CREATE INDEX tasks_claim ON tasks (queue, state, id)",
        "CREATE TRIGGER labels_no_update BEFORE UPDATE ON labels BEGIN SELECT RAISE(ABORT, 'labels is append-only'); END",
        "CREATE TRIGGER labels_no_delete BEFORE DELETE ON labels BEGIN SELECT RAISE(ABORT, 'labels is append-only'); END",
        "CREATE TRIGGER tier_moves_no_update BEFORE UPDATE ON tier_moves BEGIN SELECT RAISE(ABORT, 'tier_moves is append-only'); END",
        "CREATE TRIGGER tier_moves_no_delete BEFORE DELETE ON tier_moves BEGIN SELECT RAISE(ABORT, 'tier_moves is append-only'); END",
    ]

    static let postgresVersion1: [String] = [
        """
        CREATE TABLE pairs (
            id BIGSERIAL PRIMARY KEY,
            content_hash BYTEA NOT NULL UNIQUE,
            source TEXT NOT NULL,
            context TEXT NOT NULL,
            chosen TEXT NOT NULL,
            rejected TEXT NOT NULL,
            margin DOUBLE PRECISION,
            tier TEXT NOT NULL DEFAULT 'unverified' CHECK (tier IN (\(tiers))),
            contaminated_by TEXT,
            origin TEXT,
            import_id TEXT,
            context_chars INTEGER NOT NULL,
            chosen_chars INTEGER NOT NULL,
            rejected_chars INTEGER NOT NULL,
            context_turns INTEGER NOT NULL,
            created_at DOUBLE PRECISION NOT NULL)
        """,
        "CREATE INDEX pairs_tier ON pairs (tier, id)",
        "CREATE INDEX pairs_source ON pairs (source)",
        """
        CREATE TABLE attributes (
            pair_id BIGINT PRIMARY KEY REFERENCES pairs (id),
            task_category TEXT NOT NULL,
            objectivity TEXT NOT NULL CHECK (objectivity IN ('objective','subjective')),
            controversiality TEXT NOT NULL CHECK (controversiality IN ('low','medium','high')),
            desired_attributes TEXT NOT NULL,
            annotation_guideline TEXT NOT NULL,
            set_by TEXT NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL)
        """,
        """
        CREATE TABLE labels (
            id BIGSERIAL PRIMARY KEY,
            pair_id BIGINT NOT NULL REFERENCES pairs (id),
            labeler_kind TEXT NOT NULL CHECK (labeler_kind IN (\(labelerKinds))),
            labeler_id TEXT NOT NULL,
            label TEXT NOT NULL CHECK (label IN (\(labelNames))),
            confidence DOUBLE PRECISION CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
            rationale TEXT,
            created_at DOUBLE PRECISION NOT NULL)
        """,
        "CREATE INDEX labels_pair ON labels (pair_id, id)",
        """
        CREATE TABLE tier_moves (
            id BIGSERIAL PRIMARY KEY,
            pair_id BIGINT NOT NULL REFERENCES pairs (id),
            from_tier TEXT NOT NULL CHECK (from_tier IN (\(tiers))),
            to_tier TEXT NOT NULL CHECK (to_tier IN (\(tiers))),
            reason TEXT NOT NULL,
            actor TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL)
        """,
        "CREATE INDEX tier_moves_pair ON tier_moves (pair_id, id)",
        """
        CREATE TABLE tasks (
            id BIGSERIAL PRIMARY KEY,
            queue TEXT NOT NULL,
            pair_id BIGINT REFERENCES pairs (id),
            payload TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN (\(taskStates))),
            attempts INTEGER NOT NULL DEFAULT 0,
            max_attempts INTEGER NOT NULL,
            lease_owner TEXT,
            lease_expires_at DOUBLE PRECISION,
            result TEXT,
            last_error TEXT,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL)
        """,
        "CREATE INDEX tasks_claim ON tasks (queue, state, id)",
        """
        CREATE OR REPLACE FUNCTION synpref_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$
        """,
        "CREATE TRIGGER labels_append_only BEFORE UPDATE OR DELETE ON labels FOR EACH ROW EXECUTE FUNCTION synpref_append_only()",
        "CREATE TRIGGER tier_moves_append_only BEFORE UPDATE OR DELETE ON tier_moves FOR EACH ROW EXECUTE FUNCTION synpref_append_only()",
    ]

    /// Per-worker claims: a task may need several distinct workers, each with a lease and a
    /// result of its own. Version-1 leases and results become claims.
    static let sqliteVersion2: [String] = [
        "ALTER TABLE tasks ADD COLUMN kind TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE tasks ADD COLUMN required_workers INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE tasks ADD COLUMN held INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE tasks ADD COLUMN completed INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE tasks ADD COLUMN failures INTEGER NOT NULL DEFAULT 0",
        """
        CREATE TABLE task_claims (
            id INTEGER PRIMARY KEY,
            task_id INTEGER NOT NULL REFERENCES tasks (id),
            worker TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN (\(claimStates))),
            attempt INTEGER NOT NULL,
            claimed_at REAL NOT NULL,
            lease_expires_at REAL NOT NULL,
            finished_at REAL,
            result TEXT,
            error TEXT,
            UNIQUE (task_id, worker))
        """,
        "CREATE INDEX task_claims_leased ON task_claims (lease_expires_at) WHERE state = 'leased'",
        """
        INSERT INTO task_claims (task_id, worker, state, attempt, claimed_at, lease_expires_at, finished_at, result)
        SELECT id, lease_owner, state, attempts, updated_at, COALESCE(lease_expires_at, updated_at),
               CASE WHEN state = 'done' THEN updated_at END, result
        FROM tasks WHERE state IN ('leased', 'done') AND lease_owner IS NOT NULL ORDER BY id
        """,
        """
        UPDATE tasks SET held = (state = 'leased'), completed = (state = 'done'),
            failures = max(0, attempts - (state IN ('leased', 'done')))
        """,
        "ALTER TABLE tasks DROP COLUMN lease_owner",
        "ALTER TABLE tasks DROP COLUMN lease_expires_at",
        "ALTER TABLE tasks DROP COLUMN result",
    ]

    static let postgresVersion2: [String] = [
        """
        ALTER TABLE tasks ADD COLUMN kind TEXT NOT NULL DEFAULT '',
            ADD COLUMN required_workers INTEGER NOT NULL DEFAULT 1,
            ADD COLUMN held INTEGER NOT NULL DEFAULT 0,
            ADD COLUMN completed INTEGER NOT NULL DEFAULT 0,
            ADD COLUMN failures INTEGER NOT NULL DEFAULT 0
        """,
        """
        CREATE TABLE task_claims (
            id BIGSERIAL PRIMARY KEY,
            task_id BIGINT NOT NULL REFERENCES tasks (id),
            worker TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN (\(claimStates))),
            attempt INTEGER NOT NULL,
            claimed_at DOUBLE PRECISION NOT NULL,
            lease_expires_at DOUBLE PRECISION NOT NULL,
            finished_at DOUBLE PRECISION,
            result TEXT,
            error TEXT,
            UNIQUE (task_id, worker))
        """,
        "CREATE INDEX task_claims_leased ON task_claims (lease_expires_at) WHERE state = 'leased'",
        """
        INSERT INTO task_claims (task_id, worker, state, attempt, claimed_at, lease_expires_at, finished_at, result)
        SELECT id, lease_owner, state, attempts, updated_at, COALESCE(lease_expires_at, updated_at),
               CASE WHEN state = 'done' THEN updated_at END, result
        FROM tasks WHERE state IN ('leased', 'done') AND lease_owner IS NOT NULL ORDER BY id
        """,
        """
        UPDATE tasks SET held = CASE WHEN state = 'leased' THEN 1 ELSE 0 END,
            completed = CASE WHEN state = 'done' THEN 1 ELSE 0 END,
            failures = GREATEST(0, attempts - CASE WHEN state IN ('leased', 'done') THEN 1 ELSE 0 END)
        """,
        "ALTER TABLE tasks DROP COLUMN lease_owner, DROP COLUMN lease_expires_at, DROP COLUMN result",
    ]

    /// A pair's verified orientation (`flipped`: its deciding label prefers the stored
    /// rejected response), task keys (a task whose key is already in its queue is not added
    /// again), the judges' answer cache, stored embeddings, and curation projects with their
    /// step records.
    static let sqliteVersion3: [String] = [
        "ALTER TABLE pairs ADD COLUMN flipped INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE tasks ADD COLUMN task_key TEXT",
        "CREATE UNIQUE INDEX tasks_key ON tasks (queue, task_key) WHERE task_key IS NOT NULL",
        """
        CREATE TABLE responses (
            key TEXT PRIMARY KEY,
            judge TEXT NOT NULL,
            content TEXT NOT NULL,
            prompt_tokens INTEGER NOT NULL,
            completion_tokens INTEGER NOT NULL,
            attempts INTEGER NOT NULL,
            created_at REAL NOT NULL)
        """,
        """
        CREATE TABLE embeddings (
            embedder TEXT NOT NULL,
            pair_id INTEGER NOT NULL REFERENCES pairs (id),
            format TEXT NOT NULL CHECK (format IN ('f32','f16')),
            dims INTEGER NOT NULL CHECK (dims > 0),
            vector BLOB NOT NULL,
            created_at REAL NOT NULL,
            PRIMARY KEY (embedder, pair_id))
        """,
        """
        CREATE TABLE curation_projects (
            name TEXT PRIMARY KEY,
            config TEXT NOT NULL,
            created_at REAL NOT NULL)
        """,
        """
        CREATE TABLE curation_steps (
            project TEXT NOT NULL REFERENCES curation_projects (name),
            round INTEGER NOT NULL,
            step TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('running','done','failed')),
            started_at REAL NOT NULL,
            finished_at REAL,
            details TEXT NOT NULL,
            PRIMARY KEY (project, round, step))
        """,
    ]

    static let postgresVersion3: [String] = [
        "ALTER TABLE pairs ADD COLUMN flipped BOOLEAN NOT NULL DEFAULT false",
        "ALTER TABLE tasks ADD COLUMN task_key TEXT",
        "CREATE UNIQUE INDEX tasks_key ON tasks (queue, task_key) WHERE task_key IS NOT NULL",
        """
        CREATE TABLE responses (
            key TEXT PRIMARY KEY,
            judge TEXT NOT NULL,
            content TEXT NOT NULL,
            prompt_tokens INTEGER NOT NULL,
            completion_tokens INTEGER NOT NULL,
            attempts INTEGER NOT NULL,
            created_at DOUBLE PRECISION NOT NULL)
        """,
        """
        CREATE TABLE embeddings (
            embedder TEXT NOT NULL,
            pair_id BIGINT NOT NULL REFERENCES pairs (id),
            format TEXT NOT NULL CHECK (format IN ('f32','f16')),
            dims INTEGER NOT NULL CHECK (dims > 0),
            vector BYTEA NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (embedder, pair_id))
        """,
        """
        CREATE TABLE curation_projects (
            name TEXT PRIMARY KEY,
            config TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL)
        """,
        """
        CREATE TABLE curation_steps (
            project TEXT NOT NULL REFERENCES curation_projects (name),
            round INTEGER NOT NULL,
            step TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('running','done','failed')),
            started_at DOUBLE PRECISION NOT NULL,
            finished_at DOUBLE PRECISION,
            details TEXT NOT NULL,
            PRIMARY KEY (project, round, step))
        """,
    ]

    /// A task's state after its claim counters change to `completed`, `held` and
    /// `failures` (SQL expressions over the row's old values): done once enough workers
    /// completed, failed once too many claims failed, else pending while a slot is free and
    /// leased while every slot is held. A done or failed task stays so.
    static func taskState(completed: String = "completed", held: String = "held", failures: String = "failures") -> String {
        """
        CASE WHEN state IN ('done', 'failed') THEN state \
        WHEN \(completed) >= required_workers THEN 'done' \
        WHEN \(failures) >= max_attempts THEN 'failed' \
        WHEN \(completed) + \(held) < required_workers THEN 'pending' ELSE 'leased' END
        """
    }

    /// The columns `pairs(_:)` and `pair(id:)` read, in this order.
    static let pairColumns = """
        p.id, p.source, p.context, p.chosen, p.rejected, p.margin, p.tier, p.origin, \
        a.task_category, a.objectivity, a.controversiality, a.desired_attributes, a.annotation_guideline, p.flipped
        """
}
