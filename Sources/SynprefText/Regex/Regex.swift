/// A compiled Oniguruma-compatible pattern over Unicode scalars: a backtracking machine
/// with Perl/Oniguruma priority semantics (leftmost match, first alternative wins, greedy
/// quantifiers take as much as they can), which is what the `tokenizers` crate runs.
///
/// Single-scalar repetitions (`\p{L}+`, `[\r\n]*`, `\p{N}{1,3}`) run as one instruction
/// with one backtrack frame, so 10,000-character words cost neither recursion nor a deep
/// stack. Alternatives are guarded by the set of scalars they can start with.
public struct Regex: Sendable {
    public let pattern: String
    private let ops: [Op]
    private let classes: [CharacterClass]
    private let guards: [Guard]
    private let slotCount: Int

    struct Op: Sendable {
        var code: Code
        var a: Int32 = 0
        var b: Int32 = 0
        var c: Int32 = 0
        var d: Int32 = 0
    }

    enum Code: UInt8, Sendable {
        case set, repeatSet, split, jump, assert, look, lookEnd, emptyStart, emptyEnd, match
    }

    /// The scalars a branch can start with: exact ASCII bitmap plus the classes to ask for
    /// anything else.
    struct Guard: Sendable {
        var ascii: (UInt64, UInt64)
        var classes: [Int32]
    }

    public init(_ pattern: String) throws(RegexError) {
        self.pattern = pattern
        let node = try RegexParser.parse(pattern)
        var compiler = RegexCompiler(pattern: pattern)
        try compiler.emit(node)
        compiler.ops.append(Op(code: .match))
        ops = compiler.ops
        classes = compiler.classes
        guards = compiler.guards
        slotCount = compiler.slotCount
    }

    /// All non-overlapping matches in `text`, as `(start, end)` scalar offsets, with the
    /// onig crate's `find_iter` rule for empty matches (an empty match right where the
    /// previous match ended is skipped by advancing one scalar).
    func matches(in text: UnsafeBufferPointer<UInt32>) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        var machine = Machine(program: self)
        var searchFrom = 0
        var lastMatchEnd = -1
        let n = text.count
        while searchFrom <= n {
            guard let (s, e) = machine.search(text, from: searchFrom) else { break }
            if s == e && lastMatchEnd == e {
                searchFrom += 1
                continue
            }
            searchFrom = e
            lastMatchEnd = e
            out.append((s, e))
        }
        return out
    }

    func matches(in text: [UInt32]) -> [(Int, Int)] {
        text.withUnsafeBufferPointer { matches(in: $0) }
    }

    /// The end of the match starting exactly at `start`, if any (for tests).
    func matchLength(_ text: [UInt32], at start: Int) -> Int? {
        var machine = Machine(program: self)
        return text.withUnsafeBufferPointer { machine.run($0, at: start) }.map { $0 - start }
    }

    private struct Frame {
        var kind: Int32
        var pc: Int32
        var pos: Int32
        var aux: Int32
    }

    private static let altFrame: Int32 = 0, greedyFrame: Int32 = 1, lazyFrame: Int32 = 2
    private static let barrierFrame: Int32 = 3, slotFrame: Int32 = 4

    /// Scratch state for one search (not shared between threads).
    private struct Machine {
        let program: Regex
        var stack: [Frame] = []
        var slots: [Int32]

        init(program: Regex) {
            self.program = program
            slots = [Int32](repeating: -1, count: program.slotCount)
            stack.reserveCapacity(64)
        }

        mutating func search(_ text: UnsafeBufferPointer<UInt32>, from: Int) -> (Int, Int)? {
            var start = from
            let n = text.count
            while start <= n {
                if let end = run(text, at: start) { return (start, end) }
                start += 1
            }
            return nil
        }

        /// Runs the program anchored at `start`; returns the match end.
        mutating func run(_ s: UnsafeBufferPointer<UInt32>, at start: Int) -> Int? {
            let n = Int32(s.count)
            stack.removeAll(keepingCapacity: true)
            return program.ops.withUnsafeBufferPointer { ops -> Int? in
                program.classes.withUnsafeBufferPointer { classes -> Int? in
                    var pc: Int32 = 0
                    var pos = Int32(start)
                    while true {
                        let op = ops[Int(pc)]
                        var fail = false
                        switch op.code {
                        case .set:
                            if pos < n && classes[Int(op.a)].contains(s[Int(pos)]) {
                                pos += 1
                                pc += 1
                            } else {
                                fail = true
                            }
                        case .repeatSet:
                            let cls = classes[Int(op.a)]
                            let minCount = op.b
                            let maxCount = op.c < 0 ? Int32.max : op.c
                            if op.d != 0 {
                                // Greedy: take all, give back one at a time.
                                var k: Int32 = 0
                                while k < maxCount && pos + k < n && cls.contains(s[Int(pos + k)]) { k += 1 }
                                if k < minCount {
                                    fail = true
                                } else {
                                    if k > minCount {
                                        stack.append(Frame(kind: Regex.greedyFrame, pc: pc + 1, pos: pos + k - 1, aux: pos + minCount))
                                    }
                                    pos += k
                                    pc += 1
                                }
                            } else {
                                var k: Int32 = 0
                                while k < minCount && pos + k < n && cls.contains(s[Int(pos + k)]) { k += 1 }
                                if k < minCount {
                                    fail = true
                                } else {
                                    pos += k
                                    if k < maxCount { stack.append(Frame(kind: Regex.lazyFrame, pc: pc, pos: pos, aux: k)) }
                                    pc += 1
                                }
                            }
                        case .split:
                            if op.c >= 0 && !program.guardAllows(Int(op.c), s, pos, n, classes) {
                                pc = op.b
                            } else {
                                stack.append(Frame(kind: Regex.altFrame, pc: op.b, pos: pos, aux: 0))
                                pc = op.a
                            }
                        case .jump:
                            pc = op.a
                        case .assert:
                            if program.assertionHolds(op.a, s, pos, n) { pc += 1 } else { fail = true }
                        case .look:
                            stack.append(Frame(kind: Regex.barrierFrame, pc: pc, pos: pos, aux: 0))
                            pc += 1
                        case .lookEnd:
                            // The lookaround body matched: drop its frames down to the barrier.
                            while let top = stack.popLast() {
                                if top.kind == Regex.barrierFrame {
                                    let lookOp = ops[Int(top.pc)]
                                    switch lookOp.a {
                                    case 0: pos = top.pos; pc = lookOp.b      // positive lookahead
                                    case 1: fail = true                       // negative lookahead
                                    default: pc = lookOp.b                     // atomic group
                                    }
                                    break
                                }
                            }
                        case .emptyStart:
                            stack.append(Frame(kind: Regex.slotFrame, pc: 0, pos: slots[Int(op.a)], aux: op.a))
                            slots[Int(op.a)] = pos
                            pc += 1
                        case .emptyEnd:
                            pc = slots[Int(op.a)] == pos ? op.c : op.b
                        case .match:
                            return Int(pos)
                        }
                        if !fail { continue }
                        // Backtrack.
                        var resumed = false
                        while !resumed, let top = stack.popLast() {
                            switch top.kind {
                            case Regex.altFrame:
                                pc = top.pc
                                pos = top.pos
                                resumed = true
                            case Regex.greedyFrame:
                                pc = top.pc
                                pos = top.pos
                                if top.pos > top.aux {
                                    stack.append(Frame(kind: top.kind, pc: top.pc, pos: top.pos - 1, aux: top.aux))
                                }
                                resumed = true
                            case Regex.lazyFrame:
                                let rep = ops[Int(top.pc)]
                                let maxCount = rep.c < 0 ? Int32.max : rep.c
                                if top.aux < maxCount && top.pos < n && classes[Int(rep.a)].contains(s[Int(top.pos)]) {
                                    pos = top.pos + 1
                                    pc = top.pc + 1
                                    if top.aux + 1 < maxCount {
                                        stack.append(Frame(kind: top.kind, pc: top.pc, pos: pos, aux: top.aux + 1))
                                    }
                                    resumed = true
                                }
                            case Regex.barrierFrame:
                                let lookOp = ops[Int(top.pc)]
                                if lookOp.a == 1 {
                                    // Negative lookahead whose body failed: succeed.
                                    pos = top.pos
                                    pc = lookOp.b
                                    resumed = true
                                }
                            default:
                                slots[Int(top.aux)] = top.pos
                            }
                        }
                        if !resumed { return nil }
                    }
                }
            }
        }
    }

    @inline(__always)
    private func guardAllows(_ index: Int, _ s: UnsafeBufferPointer<UInt32>, _ pos: Int32, _ n: Int32,
                             _ classes: UnsafeBufferPointer<CharacterClass>) -> Bool {
        guard pos < n else { return false }
        let c = s[Int(pos)]
        let g = guards[index]
        if c < 64 { return g.ascii.0 & (1 << UInt64(c)) != 0 }
        if c < 128 { return g.ascii.1 & (1 << UInt64(c - 64)) != 0 }
        for k in g.classes where classes[Int(k)].contains(c) { return true }
        return false
    }

    private func assertionHolds(_ kind: Int32, _ s: UnsafeBufferPointer<UInt32>, _ pos: Int32, _ n: Int32) -> Bool {
        let p = Int(pos)
        switch kind {
        case 0: return pos == 0 || s[p - 1] == 0x0A
        case 1: return pos == n || s[p] == 0x0A
        case 2: return pos == 0
        case 3: return pos == n
        case 4: return pos == n || (pos == n - 1 && s[p] == 0x0A)
        default:
            let word = UnicodeData.shared.onigWord
            let before = pos > 0 && word.contains(s[p - 1])
            let after = pos < n && word.contains(s[p])
            return (before != after) == (kind == 5)
        }
    }
}

/// Turns a `RegexNode` tree into `Regex.Op`s.
private struct RegexCompiler {
    let pattern: String
    var ops: [Regex.Op] = []
    var classes: [CharacterClass] = []
    var guards: [Regex.Guard] = []
    var slotCount = 0
    static let maxOps = 200_000

    init(pattern: String) { self.pattern = pattern }

    mutating func addClass(_ c: CharacterClass) -> Int32 {
        classes.append(c)
        return Int32(classes.count - 1)
    }

    mutating func emit(_ node: RegexNode) throws(RegexError) {
        if ops.count > RegexCompiler.maxOps {
            throw RegexError(pattern: pattern, offset: 0, message: "pattern too large after expanding repetitions")
        }
        switch node {
        case .empty:
            break
        case .set(let cls):
            ops.append(Regex.Op(code: .set, a: addClass(cls)))
        case .concat(let items):
            for item in items { try emit(item) }
        case .alternation(let branches):
            var jumpsToEnd: [Int] = []
            for (k, branch) in branches.enumerated() {
                if k < branches.count - 1 {
                    let split = ops.count
                    ops.append(Regex.Op(code: .split, a: Int32(split + 1), b: 0, c: guardIndex(branch)))
                    try emit(branch)
                    jumpsToEnd.append(ops.count)
                    ops.append(Regex.Op(code: .jump))
                    ops[split].b = Int32(ops.count)
                } else {
                    try emit(branch)
                }
            }
            for j in jumpsToEnd { ops[j].a = Int32(ops.count) }
        case .repetition(let body, let minCount, let maxCount, let greedy, let possessive):
            if possessive {
                try emit(.atomic(.repetition(body, min: minCount, max: maxCount, greedy: true, possessive: false)))
                return
            }
            if case .set(let cls) = body {
                ops.append(Regex.Op(code: .repeatSet, a: addClass(cls), b: Int32(minCount), c: Int32(maxCount ?? -1), d: greedy ? 1 : 0))
                return
            }
            for _ in 0..<minCount { try emit(body) }
            let nullable = RegexCompiler.firstSet(body).nullable
            if let maxCount {
                // (max - min) nested optional copies, all exiting to the same place.
                var exits: [Int] = []
                for _ in minCount..<maxCount {
                    let split = ops.count
                    ops.append(Regex.Op(code: .split, c: greedy ? guardIndex(body) : -1))
                    exits.append(split)
                    let bodyStart = ops.count
                    try emit(body)
                    if greedy {
                        ops[split].a = Int32(bodyStart)
                    } else {
                        ops[split].b = Int32(bodyStart)
                    }
                }
                let end = Int32(ops.count)
                for split in exits {
                    if greedy { ops[split].b = end } else { ops[split].a = end }
                }
            } else {
                let loop = ops.count
                ops.append(Regex.Op(code: .split, c: greedy ? guardIndex(body) : -1))
                let bodyStart = ops.count
                var slot: Int32 = -1
                if nullable {
                    slot = Int32(slotCount)
                    slotCount += 1
                    ops.append(Regex.Op(code: .emptyStart, a: slot))
                }
                try emit(body)
                let endCheck = ops.count
                if nullable {
                    ops.append(Regex.Op(code: .emptyEnd, a: slot, b: Int32(loop)))
                } else {
                    ops.append(Regex.Op(code: .jump, a: Int32(loop)))
                }
                let exit = Int32(ops.count)
                if nullable { ops[endCheck].c = exit }
                if greedy {
                    ops[loop].a = Int32(bodyStart)
                    ops[loop].b = exit
                } else {
                    ops[loop].a = exit
                    ops[loop].b = Int32(bodyStart)
                }
            }
        case .lookahead(let body, let negative):
            let look = ops.count
            ops.append(Regex.Op(code: .look, a: negative ? 1 : 0))
            try emit(body)
            ops.append(Regex.Op(code: .lookEnd))
            ops[look].b = Int32(ops.count)
        case .atomic(let body):
            let look = ops.count
            ops.append(Regex.Op(code: .look, a: 2))
            try emit(body)
            ops.append(Regex.Op(code: .lookEnd))
            ops[look].b = Int32(ops.count)
        case .assertion(let kind):
            let code: Int32
            switch kind {
            case .lineStart: code = 0
            case .lineEnd: code = 1
            case .stringStart: code = 2
            case .stringEnd: code = 3
            case .stringEndNewline: code = 4
            case .wordBoundary: code = 5
            case .notWordBoundary: code = 6
            }
            ops.append(Regex.Op(code: .assert, a: code))
        }
    }

    /// Index of a guard for a branch that must consume a scalar first, or -1.
    mutating func guardIndex(_ node: RegexNode) -> Int32 {
        let first = RegexCompiler.firstSet(node)
        guard !first.nullable, !first.classes.isEmpty else { return -1 }
        var ascii: (UInt64, UInt64) = (0, 0)
        var indices: [Int32] = []
        for cls in first.classes {
            for c in UInt32(0)..<128 where cls.contains(c) {
                if c < 64 { ascii.0 |= 1 << UInt64(c) } else { ascii.1 |= 1 << UInt64(c - 64) }
            }
            indices.append(addClass(cls))
        }
        guards.append(Regex.Guard(ascii: ascii, classes: indices))
        return Int32(guards.count - 1)
    }

    /// The classes a match of `node` can begin with, and whether it can match empty.
    /// Assertions and lookaheads count as empty (their continuation decides), which keeps
    /// the set a superset of the truly possible first scalars.
    static func firstSet(_ node: RegexNode) -> (classes: [CharacterClass], nullable: Bool) {
        switch node {
        case .empty, .assertion, .lookahead:
            return ([], true)
        case .set(let cls):
            return ([cls], false)
        case .concat(let items):
            var out: [CharacterClass] = []
            for item in items {
                let f = firstSet(item)
                out += f.classes
                if !f.nullable { return (out, false) }
            }
            return (out, true)
        case .alternation(let branches):
            var out: [CharacterClass] = []
            var nullable = false
            for b in branches {
                let f = firstSet(b)
                out += f.classes
                nullable = nullable || f.nullable
            }
            return (out, nullable)
        case .repetition(let body, let minCount, _, _, _):
            let f = firstSet(body)
            return (f.classes, f.nullable || minCount == 0)
        case .atomic(let body):
            return firstSet(body)
        }
    }
}
