import Foundation

/// Python string formatting: `"%s" % x` (and the `format` filter) and `str.format`.
/// Common conversions are implemented exactly; exotic ones are refused.
enum PyFormat {
    /// `n * 10 + digit` for widths and precisions, refusing absurd sizes.
    static func accumulate(_ n: Int, _ digit: Int) throws -> Int {
        let v = n * 10 + digit  // n <= maxSize, so no overflow
        try PyError.checkSize(v)
        return v
    }

    // MARK: printf-style

    static func percent(_ fmt: String, _ args: Value) throws -> String {
        var positional: [Value]
        var mapping: PyDict? = nil
        switch args {
        case .tuple(let items): positional = items
        case .dict(let d):
            positional = [args]
            mapping = d
        default: positional = [args]
        }
        let f = Array(fmt.unicodeScalars)
        var out = String.UnicodeScalarView()
        var argIndex = 0
        var usedMapping = false
        var i = 0
        func nextArg() throws -> Value {
            guard argIndex < positional.count else {
                throw PyError.typeError("not enough arguments for format string")
            }
            defer { argIndex += 1 }
            return positional[argIndex]
        }
        while i < f.count {
            let c = f[i]
            guard c == "%" else {
                out.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < f.count else { throw PyError.valueError("incomplete format") }
            var key: String? = nil
            if f[i] == "(" {
                var depth = 1
                var j = i + 1
                while j < f.count && depth > 0 {
                    if f[j] == "(" { depth += 1 } else if f[j] == ")" { depth -= 1 }
                    j += 1
                }
                guard depth == 0 else { throw PyError.valueError("incomplete format key") }
                key = PyString.string(f[(i + 1)..<(j - 1)])
                i = j
            }
            var flags = Set<Unicode.Scalar>()
            while i < f.count, "#0- +".unicodeScalars.contains(f[i]) {
                flags.insert(f[i])
                i += 1
            }
            var width: Int? = nil
            if i < f.count, f[i] == "*" {
                guard let w = Ops.index(try nextArg()) else { throw PyError.typeError("* wants int") }
                try PyError.checkSize(w)
                width = w
                i += 1
            } else {
                while i < f.count, let d = Int(String(f[i])) {
                    width = try accumulate(width ?? 0, d)
                    i += 1
                }
            }
            var precision: Int? = nil
            if i < f.count, f[i] == "." {
                i += 1
                precision = 0
                if i < f.count, f[i] == "*" {
                    guard let p = Ops.index(try nextArg()) else { throw PyError.typeError("* wants int") }
                    try PyError.checkSize(p)
                    precision = p
                    i += 1
                } else {
                    while i < f.count, let d = Int(String(f[i])) {
                        precision = try accumulate(precision ?? 0, d)
                        i += 1
                    }
                }
            }
            while i < f.count, "hlL".unicodeScalars.contains(f[i]) { i += 1 }
            guard i < f.count else { throw PyError.valueError("incomplete format") }
            let type = f[i]
            i += 1
            if type == "%" {
                out.append("%")
                continue
            }
            let arg: Value
            if let key {
                guard let mapping else { throw PyError.typeError("format requires a mapping") }
                usedMapping = true
                guard let v = mapping.get(.string(Array(key.utf8))) else { throw PyError.runtime("KeyError: '\(key)'") }
                arg = v
            } else {
                arg = try nextArg()
            }
            var body: String
            var numeric = false
            switch type {
            case "s": body = try PythonText.str(arg)
            case "r", "a": body = try PythonText.repr(arg)
            case "d", "i", "u":
                numeric = true
                body = try intText(arg, radix: 10, flags: flags, precision: precision, type: type)
            case "x", "X", "o":
                numeric = true
                guard case .int = Ops.number(arg) ?? .float(0) else {
                    throw PyError.typeError("%\(type) format: an integer is required, not \(arg.typeName)")
                }
                body = try intText(arg, radix: type == "o" ? 8 : 16, flags: flags, precision: precision, type: type)
            case "f", "F", "e", "E", "g", "G":
                numeric = true
                guard let n = Ops.number(arg) else {
                    throw PyError.typeError("must be real number, not \(arg.typeName)")
                }
                if (precision ?? 6) > 1000 { throw PyError.unsupported("float precision above 1000") }
                body = cFloat(n.double, flags: flags, precision: precision ?? 6, type: type)
            default:
                throw PyError.unsupported("'%\(type)' in printf-style formatting")
            }
            if let precision, type == "s" || type == "r" || type == "a" {
                body = PyString.string(body.unicodeScalars.prefix(precision))
            }
            if let width, PyString.length(body) < width {
                let pad = width - PyString.length(body)
                if flags.contains("-") {
                    body += String(repeating: " ", count: pad)
                } else if numeric && flags.contains("0") {
                    var sc = Array(body.unicodeScalars)
                    var prefixLen = 0
                    if let first = sc.first, first == "-" || first == "+" || first == " " { prefixLen = 1 }
                    if sc.count >= prefixLen + 2, sc[prefixLen] == "0", "xXo".unicodeScalars.contains(sc[prefixLen + 1]) {
                        prefixLen += 2
                    }
                    sc.insert(contentsOf: Array(repeating: "0" as Unicode.Scalar, count: pad), at: prefixLen)
                    body = PyString.string(sc)
                } else {
                    body = String(repeating: " ", count: pad) + body
                }
            }
            out.append(contentsOf: body.unicodeScalars)
        }
        // CPython skips this check when the argument is any mapping-like object
        // (PyMapping_Check: dicts, lists) other than a tuple or str.
        var mappingLike = mapping != nil
        if case .list = args { mappingLike = true }
        if !mappingLike, argIndex < positional.count {
            throw PyError.typeError("not all arguments converted during string formatting")
        }
        _ = usedMapping
        return String(out)
    }

    private static func intText(_ v: Value, radix: Int, flags: Set<Unicode.Scalar>, precision: Int?, type: Unicode.Scalar)
        throws -> String
    {
        let i: Int
        switch Ops.number(v) {
        case .int(let x): i = x
        case .float(let d):
            guard d.isFinite else { throw PyError.runtime("OverflowError: cannot convert float infinity to integer") }
            guard let x = Int(exactly: d.rounded(.towardZero)) else { throw Ops.overflow("%d") }
            i = x
        case nil:
            throw PyError.typeError("%\(type) format: a real number is required, not \(v.typeName)")
        }
        var digits = String(i.magnitude, radix: radix, uppercase: type == "X")
        if let precision, digits.count < precision {
            digits = String(repeating: "0", count: precision - digits.count) + digits
        }
        if flags.contains("#") && radix != 10 { digits = (radix == 8 ? "0o" : (type == "X" ? "0X" : "0x")) + digits }
        let sign = i < 0 ? "-" : (flags.contains("+") ? "+" : (flags.contains(" ") ? " " : ""))
        return sign + digits
    }

    private static func cFloat(_ d: Double, flags: Set<Unicode.Scalar>, precision: Int, type: Unicode.Scalar) -> String {
        if d.isNaN || d.isInfinite {
            let s = d.isNaN ? "nan" : (d < 0 ? "-inf" : "inf")
            let t = (type == "F" || type == "E" || type == "G") ? s.uppercased() : s
            return (!t.hasPrefix("-") && flags.contains("+")) ? "+" + t : t
        }
        var spec = "%"
        if flags.contains("+") { spec += "+" } else if flags.contains(" ") { spec += " " }
        if flags.contains("#") { spec += "#" }
        spec += ".\(precision)" + String(type)
        return String(format: spec, d)
    }

    // MARK: str.format

    static func format(_ fmt: String, args: [Value], kwargs: [(String, Value)]) throws -> String {
        let f = Array(fmt.unicodeScalars)
        var out = ""
        var auto = 0
        var i = 0
        while i < f.count {
            let c = f[i]
            if c == "{" {
                if i + 1 < f.count, f[i + 1] == "{" {
                    out += "{"
                    i += 2
                    continue
                }
                var j = i + 1
                var depth = 1
                while j < f.count {
                    if f[j] == "{" { depth += 1 } else if f[j] == "}" {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    j += 1
                }
                guard j < f.count else { throw PyError.valueError("expected '}' before end of string") }
                let field = PyString.string(f[(i + 1)..<j])
                out += try formatField(field, args: args, kwargs: kwargs, auto: &auto)
                i = j + 1
            } else if c == "}" {
                guard i + 1 < f.count, f[i + 1] == "}" else {
                    throw PyError.valueError("Single '}' encountered in format string")
                }
                out += "}"
                i += 2
            } else {
                out.unicodeScalars.append(c)
                i += 1
            }
        }
        return out
    }

    private static func formatField(_ field: String, args: [Value], kwargs: [(String, Value)], auto: inout Int) throws
        -> String
    {
        var name = field
        var spec = ""
        var conversion: Character? = nil
        if let colon = name.firstIndex(of: ":") {
            spec = String(name[name.index(after: colon)...])
            name = String(name[..<colon])
        }
        if let bang = name.firstIndex(of: "!") {
            let conv = name[name.index(after: bang)...]
            guard conv.count == 1 else { throw PyError.valueError("expected ':' after conversion specifier") }
            conversion = conv.first
            name = String(name[..<bang])
        }
        if name.contains(".") || name.contains("[") {
            throw PyError.unsupported("attribute or index access inside str.format fields ('{\(field)}')")
        }
        if spec.contains("{") { throw PyError.unsupported("nested replacement fields in str.format specs") }
        let value: Value
        if name.isEmpty {
            guard auto >= 0 else {
                throw PyError.valueError("cannot switch from manual field specification to automatic field numbering")
            }
            guard auto < args.count else {
                throw PyError.runtime("IndexError: Replacement index \(auto) out of range for positional args tuple")
            }
            value = args[auto]
            auto += 1
        } else if let n = Int(name) {
            guard auto <= 0 else {
                throw PyError.valueError("cannot switch from automatic field numbering to manual field specification")
            }
            auto = -1
            guard n < args.count else {
                throw PyError.runtime("IndexError: Replacement index \(n) out of range for positional args tuple")
            }
            value = args[n]
        } else {
            guard let v = kwargs.last(where: { $0.0 == name })?.1 else { throw PyError.runtime("KeyError: '\(name)'") }
            value = v
        }
        var v = value
        switch conversion {
        case nil: break
        case "s": v = .string(try PythonText.str(value))
        case "r", "a": v = .string(try PythonText.repr(value))
        default: throw PyError.valueError("Unknown conversion specifier \(conversion!)")
        }
        return try formatValue(v, spec: spec)
    }

    /// `format(value, spec)` for the common specs: fill/align/sign/zero/width/precision
    /// with types s, d, f, e, % (and no type).
    static func formatValue(_ v: Value, spec: String) throws -> String {
        if spec.isEmpty {
            if case .undefined(let u) = v { throw Ops.undefinedError(u) }
            return try PythonText.str(v)
        }
        var s = Array(spec.unicodeScalars)
        var fill: Unicode.Scalar = " "
        var align: Unicode.Scalar? = nil
        if s.count >= 2, "<>^=".unicodeScalars.contains(s[1]) {
            fill = s[0]
            align = s[1]
            s.removeFirst(2)
        } else if let first = s.first, "<>^=".unicodeScalars.contains(first) {
            align = first
            s.removeFirst()
        }
        var sign: Unicode.Scalar = "-"
        if let first = s.first, "+- ".unicodeScalars.contains(first) {
            sign = first
            s.removeFirst()
        }
        if s.first == "#" || s.first == "z" { throw PyError.unsupported("'#' or 'z' in format specs") }
        if s.first == "0" {
            if align == nil {
                fill = "0"
                align = "="
            }
            s.removeFirst()
        }
        var width = 0
        while let first = s.first, let d = Int(String(first)) {
            width = try accumulate(width, d)
            s.removeFirst()
        }
        if let first = s.first, first == "," || first == "_" { throw PyError.unsupported("digit grouping in format specs") }
        var precision: Int? = nil
        if s.first == "." {
            s.removeFirst()
            var p = 0
            var any = false
            while let first = s.first, let d = Int(String(first)) {
                p = try accumulate(p, d)
                any = true
                s.removeFirst()
            }
            guard any else { throw PyError.valueError("Format specifier missing precision") }
            precision = p
        }
        guard s.count <= 1 else { throw PyError.valueError("Invalid format specifier '\(spec)'") }
        if (precision ?? 0) > 1000 { throw PyError.unsupported("format precision above 1000") }
        let type = s.first
        var body: String
        var isNumber = false
        switch v {
        case .string(let str), .markup(let str):
            guard type == nil || type == "s" else {
                throw PyError.valueError("Unknown format code '\(type!)' for object of type 'str'")
            }
            guard sign == "-", align != "=" else { throw PyError.valueError("Sign not allowed in string format specifier") }
            body = precision.map { PyString.string(str.unicodeScalars.prefix($0)) } ?? str
        case .int, .bool, .float:
            isNumber = true
            let n = Ops.number(v)!
            switch (type, n) {
            case (nil, .int(let i)) where precision == nil, ("d", .int(let i)):
                if case .bool(let b) = v, type == nil, precision == nil {
                    body = b ? "True" : "False"
                    isNumber = false
                } else {
                    body = String(i.magnitude)
                    body = (i < 0 ? "-" : (sign == "+" ? "+" : (sign == " " ? " " : ""))) + body
                }
            case ("f", _), ("F", _), ("e", _), ("E", _):
                let flags: Set<Unicode.Scalar> = sign == "+" ? ["+"] : (sign == " " ? [" "] : [])
                body = cFloat(n.double, flags: flags, precision: precision ?? 6, type: type!)
            case ("%", _):
                let flags: Set<Unicode.Scalar> = sign == "+" ? ["+"] : (sign == " " ? [" "] : [])
                body = cFloat(n.double * 100, flags: flags, precision: precision ?? 6, type: "f") + "%"
            case (nil, .float(let d)) where precision == nil:
                body = PythonText.floatRepr(d)
                if sign != "-" && d.sign == .plus && !d.isNaN { body = (sign == "+" ? "+" : " ") + body }
            default:
                throw PyError.unsupported("format spec '\(spec)' for \(v.typeName)")
            }
        default:
            throw PyError.typeError("unsupported format string passed to \(v.typeName).__format__")
        }
        let n = PyString.length(body)
        guard width > n else { return body }
        let pad = width - n
        let a = align ?? (isNumber ? ">" : "<")
        func fillText(_ k: Int) -> String { PyString.string(repeatElement(fill, count: k)) }
        switch a {
        case "<": return body + fillText(pad)
        case ">": return fillText(pad) + body
        case "^": return fillText(pad / 2) + body + fillText(pad - pad / 2)
        default:
            // "=": padding after the sign.
            var sc = Array(body.unicodeScalars)
            let signLen = (sc.first.map { "+- ".unicodeScalars.contains($0) } ?? false) ? 1 : 0
            sc.insert(contentsOf: Array(repeatElement(fill, count: pad)), at: signLen)
            return PyString.string(sc)
        }
    }
}
