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
/// - `tasks`: the work queue (state, lease owner, lease expiry, attempts, result).
/// - `synpref_meta`: `schema_version`.
enum StoreSchema {
    static let version = 1

    static let tiers = "'unverified','silver','gold','discarded'"
    static let labelerKinds = "'human','llm_judge','reward_model'"
    static let labelNames = "'chosen','rejected','tie','undetermined'"
    static let taskStates = "'pending','leased','done','failed'"

    static let sqlite: [String] = [
        "CREATE TABLE IF NOT EXISTS synpref_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
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

    static let postgres: [String] = [
        "CREATE TABLE IF NOT EXISTS synpref_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
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

    /// The columns `pairs(_:)` and `pair(id:)` read, in this order.
    static let pairColumns = """
        p.id, p.source, p.context, p.chosen, p.rejected, p.margin, p.tier, p.origin, \
        a.task_category, a.objectivity, a.controversiality, a.desired_attributes, a.annotation_guideline
        """
}

/// Rebuilding pairs from stored columns (shared by both stores).
enum StoredPair {
    static func messages(_ text: String, _ column: String, pairID: Int64) throws -> [Message] {
        do {
            let v = try JSONParser.parse(text)
            return try JSONMessages.messages(v, column)
        } catch {
            throw StoreError.invalidValue("pair \(pairID): column \(column) is not a valid message list (\(error))")
        }
    }

    static func message(_ text: String, _ column: String, pairID: Int64) throws -> Message {
        do {
            let v = try JSONParser.parse(text)
            return try JSONMessages.message(v, column)
        } catch {
            throw StoreError.invalidValue("pair \(pairID): column \(column) is not a valid message (\(error))")
        }
    }

    static func make(
        id: Int64, source: String, context: String, chosen: String, rejected: String, margin: Double?, tier: String,
        origin: String?, attributes: (String?, String?, String?, String?, String?)
    ) throws -> PreferencePair {
        guard let t = PreferenceTier(rawValue: tier) else { throw StoreError.invalidValue("pair \(id): tier '\(tier)'") }
        var p = PreferencePair(
            id: id, context: try messages(context, "context", pairID: id), chosen: try message(chosen, "chosen", pairID: id),
            rejected: try message(rejected, "rejected", pairID: id), source: source, margin: margin, tier: t, origin: origin)
        if let cat = attributes.0, let o = attributes.1, let c = attributes.2, let d = attributes.3, let g = attributes.4 {
            guard let obj = PreferenceAttributes.Objectivity(rawValue: o),
                let con = PreferenceAttributes.Controversiality(rawValue: c)
            else { throw StoreError.invalidValue("pair \(id): attributes '\(o)', '\(c)'") }
            p.attributes = PreferenceAttributes(taskCategory: cat, objectivity: obj, controversiality: con, desiredAttributes: d, annotationGuideline: g)
        }
        return p
    }

    /// Replays tier changes in order over the current tiers: which moves take effect and
    /// the final tier per pair. Throws on an unknown pair or a failed expectation.
    static func plan(_ moves: [TierChange], current: [Int64: PreferenceTier]) throws -> (log: [(pairID: Int64, from: PreferenceTier, to: PreferenceTier, reason: String)], final: [Int64: PreferenceTier]) {
        var tiers = current
        var log: [(Int64, PreferenceTier, PreferenceTier, String)] = []
        var changed: [Int64: PreferenceTier] = [:]
        for m in moves {
            guard let now = tiers[m.pairID] else { throw StoreError.unknownPair(m.pairID) }
            if let e = m.expectedFrom, e != now { throw StoreError.tierConflict(pairID: m.pairID, expected: e, actual: now) }
            if now == m.to { continue }
            log.append((m.pairID, now, m.to, m.reason))
            tiers[m.pairID] = m.to
            changed[m.pairID] = m.to
        }
        return (log, changed)
    }

    static func checkLabel(_ l: LabelEntry) throws {
        if let c = l.confidence, !(c >= 0 && c <= 1) {
            throw StoreError.invalidValue("label confidence \(c) for pair \(l.pairID) is not within [0, 1]")
        }
        if l.labeler.id.isEmpty { throw StoreError.invalidValue("label for pair \(l.pairID) has an empty labeler id") }
    }
}
