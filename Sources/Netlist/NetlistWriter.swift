/// Turns a `Deck` into SPICE text. The only place in Crossloop that emits deck text.
///
/// Output is deterministic: cards in one canonical order (title, comments, `.include`/`.lib`,
/// `.param`, `.options`, `.model`, `.subckt`, elements, `.nodeset`, `.ic`, `.save`, analyses,
/// `.print`, `.control`, `.end`), numbers through `SpiceNumber.format`, and lines longer
/// than `lineWidth` continued with `+`. Every name and free-text field is checked; anything
/// that could inject a card (a newline, a leading `.` or `*`, `;`, spaces, ...) is an error.
public struct NetlistWriter: Sendable {
    /// Lines are folded at token boundaries beyond this many characters.
    public var lineWidth: Int

    public init(lineWidth: Int = 100) {
        self.lineWidth = max(lineWidth, 20)
    }

    public func format(_ deck: Deck) throws -> String {
        let lines = try formatLines(deck)
        var text = String()
        text.reserveCapacity(lines.reduce(0) { $0 + $1.utf8.count + 1 })
        for line in lines {
            text += line
            text += "\n"
        }
        return text
    }

    /// The deck's lines, without newlines: what `format` joins, and what an engine can hand
    /// to ngspice directly without splitting text again. With `includeControl` false the
    /// `.control` block is still checked but left out (an engine runs the analyses itself).
    public func formatLines(_ deck: Deck, includeControl: Bool = true) throws -> [String] {
        var lines: [String] = []
        lines.reserveCapacity(deck.elements.count + 64)
        lines.append(oneLine(deck.title.isEmpty ? "crossloop deck" : deck.title))
        lines += commentLines(deck.comments)

        for include in deck.includes { lines.append(try formatInclude(include)) }

        try checkUnique(deck.parameters.map(\.name), role: "parameter", scope: ".param")
        for parameter in deck.parameters {
            lines += fold([".param", try formatAssignment(parameter, role: "parameter")])
        }
        if !deck.options.isEmpty {
            try checkUnique(deck.options.map(\.name), role: "option", scope: ".options")
            lines += fold([".options"] + (try deck.options.map { try formatAssignment($0, role: "option") }))
        }

        try checkUnique(deck.models.map(\.name), role: "model", scope: "the deck")
        for model in deck.models { lines += try formatModel(model) }

        try checkUnique(deck.subcircuits.map(\.name), role: "subcircuit", scope: "the deck")
        for subcircuit in deck.subcircuits { lines += try formatSubcircuit(subcircuit) }

        lines += try formatElements(deck.elements, scope: "the deck")

        if !deck.nodesets.isEmpty { lines += fold([".nodeset"] + (try deck.nodesets.map(formatNodeVoltage))) }
        if !deck.initialConditions.isEmpty {
            lines += fold([".ic"] + (try deck.initialConditions.map(formatNodeVoltage)))
        }
        if !deck.saves.isEmpty { lines += fold([".save"] + (try deck.saves.map(formatProbe))) }
        for analysis in deck.analyses { lines += fold(["." + (try formatAnalysis(analysis)).joined(separator: " ")]) }
        for print in deck.prints {
            lines += fold([".print", print.kind.rawValue] + (try print.probes.map(formatProbe)))
        }
        if !deck.control.isEmpty {
            let block = try deck.control.flatMap { fold(try formatControl($0)) }
            if includeControl { lines += [".control"] + block + [".endc"] }
        }
        lines.append(".end")
        return lines
    }

    // MARK: Cards

    func formatInclude(_ include: Include) throws -> String {
        switch include {
        case .file(let path):
            return ".include \(try formatPath(path))"
        case .library(let path, let section):
            try checkName(section, role: "library section")
            return ".lib \(try formatPath(path)) \(section)"
        }
    }

    func formatModel(_ model: Model) throws -> [String] {
        try checkName(model.name, role: "model")
        try checkName(model.type, role: "model type")
        try checkUnique(model.parameters.map(\.name), role: "model parameter", scope: "model \(model.name)")
        let parameters = try model.parameters.map { try formatAssignment($0, role: "model parameter") }
        // Parentheses around the parameter list; ngspice accepts them split across `+` lines.
        guard !parameters.isEmpty else { return [".model \(model.name) \(model.type)"] }
        var tokens = [".model", model.name, model.type + "(" + parameters[0]]
        tokens += parameters.dropFirst()
        tokens[tokens.count - 1] += ")"
        return fold(tokens)
    }

    func formatSubcircuit(_ subcircuit: Subcircuit) throws -> [String] {
        try checkName(subcircuit.name, role: "subcircuit")
        for port in subcircuit.ports { try checkNode(port) }
        try checkUnique(subcircuit.ports, role: "port", scope: "subcircuit \(subcircuit.name)")
        var header = [".subckt", subcircuit.name] + subcircuit.ports
        if !subcircuit.parameters.isEmpty {
            try checkUnique(subcircuit.parameters.map(\.name), role: "parameter",
                            scope: "subcircuit \(subcircuit.name)")
            header.append("params:")
            header += try subcircuit.parameters.map { try formatAssignment($0, role: "subcircuit parameter") }
        }
        var lines = fold(header)
        lines += commentLines(subcircuit.comments)
        try checkUnique(subcircuit.models.map(\.name), role: "model", scope: "subcircuit \(subcircuit.name)")
        for model in subcircuit.models { lines += try formatModel(model) }
        lines += try formatElements(subcircuit.elements, scope: "subcircuit \(subcircuit.name)")
        lines.append(".ends \(subcircuit.name)")
        return lines
    }

    func formatElements(_ elements: [Element], scope: String) throws -> [String] {
        var seen = Set<String>(minimumCapacity: elements.count)
        var lines: [String] = []
        lines.reserveCapacity(elements.count)
        for element in elements {
            // Resistors are nearly all of a crossbar deck: one line, no token array.
            if case .resistor(let r) = element, let line = try resistorLine(r) {
                try insertUnique(line.card, into: &seen, scope: scope)
                lines.append(line.text)
                continue
            }
            let tokens = try formatElement(element)
            try insertUnique(tokens[0], into: &seen, scope: scope)
            lines += fold(tokens)
        }
        return lines
    }

    private func insertUnique(_ card: String, into seen: inout Set<String>, scope: String) throws {
        let key = card.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) ? card.lowercased() : card
        guard seen.insert(key).inserted else {
            throw NetlistError.duplicateName(role: "instance", name: card, scope: scope)
        }
    }

    /// `R<name> a b value` when it fits on one line; nil otherwise (the general path folds it).
    private func resistorLine(_ r: Resistor) throws -> (card: String, text: String)? {
        guard case .number(let ohms) = r.resistance else { return nil }
        try checkName(r.name, role: "instance")
        try checkNode(r.a)
        try checkNode(r.b)
        let card = Element.cardName(letter: "R", name: r.name)
        let value = try number(ohms, "element \(card)")
        var text = card
        text.reserveCapacity(card.utf8.count + r.a.utf8.count + r.b.utf8.count + value.utf8.count + 3)
        text += " "; text += r.a; text += " "; text += r.b; text += " "; text += value
        return text.utf8.count <= lineWidth ? (card, text) : nil
    }

    /// The tokens of one element card.
    public func formatElement(_ element: Element) throws -> [String] {
        try checkName(element.name, role: "instance")
        let card = element.cardName
        let context = "element \(card)"
        switch element {
        case .resistor(let r):
            return [card] + (try nodes([r.a, r.b])) + [try formatValue(r.resistance, context)]
        case .capacitor(let c):
            var tokens = [card] + (try nodes([c.a, c.b])) + [try formatValue(c.capacitance, context)]
            if let ic = c.initialVoltage { tokens.append("ic=" + (try number(ic, context))) }
            return tokens
        case .inductor(let l):
            var tokens = [card] + (try nodes([l.a, l.b])) + [try formatValue(l.inductance, context)]
            if let ic = l.initialCurrent { tokens.append("ic=" + (try number(ic, context))) }
            return tokens
        case .voltageSource(let s), .currentSource(let s):
            var tokens = [card] + (try nodes([s.plus, s.minus])) + ["dc", try formatValue(s.dc, context)]
            if let ac = s.ac {
                tokens += ["ac", try number(ac.magnitude, context), try number(ac.phaseDegrees, context)]
            }
            if let waveform = s.waveform { tokens += try formatWaveform(waveform, context) }
            return tokens
        case .vcvs(let s), .vccs(let s):
            return [card] + (try nodes([s.plus, s.minus, s.controlPlus, s.controlMinus]))
                + [try formatValue(s.gain, context)]
        case .cccs(let s), .ccvs(let s):
            try checkName(s.controllingSource, role: "controlling source")
            return [card] + (try nodes([s.plus, s.minus]))
                + [Element.cardName(letter: "V", name: s.controllingSource), try formatValue(s.gain, context)]
        case .behavioural(let b):
            try checkExpression(b.expression, role: "expression of \(card)")
            let lhs = b.kind == .voltage ? "V=" : "I="
            return [card] + (try nodes([b.plus, b.minus])) + [lhs + b.expression]
        case .mosfet(let m):
            try checkName(m.model, role: "model")
            try checkUnique(m.parameters.map(\.name), role: "instance parameter", scope: context)
            return [card] + (try nodes([m.drain, m.gate, m.source, m.bulk])) + [m.model]
                + (try m.parameters.map { try formatAssignment($0, role: "instance parameter") })
        case .diode(let d):
            try checkName(d.model, role: "model")
            var tokens = [card] + (try nodes([d.anode, d.cathode])) + [d.model]
            if let area = d.area { tokens.append(try number(area, context)) }
            return tokens
        case .instance(let x):
            try checkName(x.subcircuit, role: "subcircuit")
            try checkUnique(x.parameters.map(\.name), role: "instance parameter", scope: context)
            return [card] + (try nodes(x.nodes)) + [x.subcircuit]
                + (try x.parameters.map { try formatAssignment($0, role: "instance parameter") })
        case .xspice(let a):
            try checkName(a.model, role: "model")
            var tokens = [card]
            for connection in a.connections {
                switch connection {
                case .node(let n): tokens.append(try node(n))
                case .vector(let ns): tokens.append("[" + (try nodes(ns)).joined(separator: " ") + "]")
                case .null: tokens.append("NULL")
                }
            }
            return tokens + [a.model]
        }
    }

    func formatWaveform(_ waveform: Waveform, _ context: String) throws -> [String] {
        let values: [Double]
        let keyword: String
        switch waveform {
        case .pulse(let p):
            keyword = "pulse"
            values = [p.initial, p.pulsed, p.delay, p.rise, p.fall, p.width, p.period]
        case .pwl(let points):
            guard !points.isEmpty else { throw NetlistError.invalidCard(context: context, problem: "PWL has no points") }
            for (a, b) in zip(points, points.dropFirst()) where !(b.time > a.time) {
                throw NetlistError.invalidCard(context: context, problem: "PWL times must increase")
            }
            keyword = "pwl"
            values = points.flatMap { [$0.time, $0.value] }
        case .sine(let s):
            keyword = "sin"
            values = [s.offset, s.amplitude, s.frequency, s.delay, s.damping, s.phaseDegrees]
        }
        var tokens = try values.map { try number($0, context) }
        tokens[0] = keyword + "(" + tokens[0]
        tokens[tokens.count - 1] += ")"
        return tokens
    }

    func formatAnalysis(_ analysis: Analysis) throws -> [String] {
        switch analysis {
        case .operatingPoint:
            return ["op"]
        case .dcSweep(let source, let start, let stop, let step):
            try checkName(source, role: "swept source")
            guard step != 0 else { throw NetlistError.invalidCard(context: ".dc", problem: "step is zero") }
            return ["dc", source] + (try [start, stop, step].map { try number($0, ".dc") })
        case .transient(let t):
            guard t.step > 0, t.stop > t.start, t.start >= 0 else {
                throw NetlistError.invalidCard(context: ".tran", problem: "needs step > 0 and stop > start >= 0")
            }
            var tokens = ["tran", try number(t.step, ".tran"), try number(t.stop, ".tran")]
            if t.start != 0 || t.maxStep != nil { tokens.append(try number(t.start, ".tran")) }
            if let maxStep = t.maxStep {
                guard maxStep > 0 else { throw NetlistError.invalidCard(context: ".tran", problem: "tmax must be > 0") }
                tokens.append(try number(maxStep, ".tran"))
            }
            if t.useInitialConditions { tokens.append("uic") }
            return tokens
        case .ac(let ac):
            guard ac.points > 0, ac.start > 0, ac.stop >= ac.start else {
                throw NetlistError.invalidCard(context: ".ac", problem: "needs points > 0 and 0 < fstart <= fstop")
            }
            return ["ac", ac.sweep.rawValue, String(ac.points), try number(ac.start, ".ac"), try number(ac.stop, ".ac")]
        }
    }

    func formatControl(_ command: ControlCommand) throws -> [String] {
        switch command {
        case .run: return ["run"]
        case .analysis(let analysis): return try formatAnalysis(analysis)
        case .set(let name, let value), .option(let name, let value):
            try checkName(name, role: "variable")
            let verb = if case .set = command { "set" } else { "option" }
            guard let value else { return [verb, name] }
            return [verb, try formatAssignment(Parameter(name, value), role: "variable")]
        case .print(let probes):
            return ["print"] + (try probes.map(formatProbe))
        case .write(let path, let probes):
            return ["write", try formatPath(path)] + (try probes.map(formatProbe))
        case .quit:
            return ["quit"]
        }
    }

    func formatNodeVoltage(_ nv: NodeVoltage) throws -> String {
        "v(\(try probePath(nv.node)))=" + (try number(nv.volts, "v(\(nv.node))"))
    }

    func formatProbe(_ probe: Probe) throws -> String {
        switch probe {
        case .voltage(let n): return "v(\(try probePath(n)))"
        case .differential(let a, let b): return "v(\(try probePath(a)),\(try probePath(b)))"
        case .current(let source): return "i(\(try probePath(source)))"
        case .all: return "all"
        }
    }

    func formatAssignment(_ parameter: Parameter, role: String) throws -> String {
        try checkName(parameter.name, role: role)
        let context = "\(role) \(parameter.name)"
        switch parameter.value {
        case .number(let x): return "\(parameter.name)=\(try number(x, context))"
        case .expression(let e):
            try checkExpression(e, role: "expression of \(context)")
            return "\(parameter.name)={\(e)}"
        case .word(let w):
            try checkWord(w, role: "value of \(context)")
            return "\(parameter.name)=\(w)"
        case .numbers(let xs):
            return "\(parameter.name)=[" + (try xs.map { try number($0, context) }).joined(separator: " ") + "]"
        case .flag:
            return parameter.name
        }
    }

    func formatValue(_ value: Value, _ context: String) throws -> String {
        switch value {
        case .number(let x): return try number(x, context)
        case .expression(let e):
            try checkExpression(e, role: "expression in \(context)")
            return "{\(e)}"
        }
    }

    func formatPath(_ path: String) throws -> String {
        if path.isEmpty { throw NetlistError.unsafeText(role: "path", text: path, problem: "it is empty") }
        for scalar in path.unicodeScalars {
            if scalar.properties.generalCategory == .control || scalar == "\"" {
                throw NetlistError.unsafeText(role: "path", text: path,
                                              problem: "it contains \(SpiceName.describe(scalar))")
            }
        }
        return "\"\(path)\""
    }

    // MARK: Checks

    func number(_ x: Double, _ context: String) throws -> String {
        guard let text = SpiceNumber.format(x) else { throw NetlistError.nonFiniteValue(context: context) }
        return text
    }

    func node(_ name: String) throws -> String {
        try checkNode(name)
        return name
    }

    func nodes(_ names: [String]) throws -> [String] { try names.map(node) }

    func checkNode(_ name: String) throws { try checkName(name, role: "node") }

    func checkName(_ name: String, role: String) throws {
        if let problem = SpiceName.problem(with: name) {
            throw NetlistError.unsafeName(role: role, name: name, problem: problem)
        }
    }

    /// Hierarchical paths (`x1.xamp.out`) in probes, `.nodeset` and `.ic`.
    func probePath(_ path: String) throws -> String {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false)
        for part in parts {
            if let problem = SpiceName.problem(with: String(part)) {
                throw NetlistError.unsafeName(role: "node", name: path, problem: problem)
            }
        }
        return path
    }

    func checkUnique(_ names: [String], role: String, scope: String) throws {
        var seen = Set<String>()
        seen.reserveCapacity(names.count)
        for name in names where !seen.insert(name.lowercased()).inserted {
            throw NetlistError.duplicateName(role: role, name: name, scope: scope)
        }
    }

    /// Expressions may hold operators and spaces, but nothing that ends the line or starts a
    /// comment (`;`, `$`), no quotes, and balanced brackets.
    func checkExpression(_ text: String, role: String) throws {
        func reject(_ problem: String) -> NetlistError { .unsafeText(role: role, text: text, problem: problem) }
        if text.trimmingSpaces().isEmpty { throw reject("it is empty") }
        var depth = 0
        for scalar in text.unicodeScalars {
            switch scalar {
            case ";", "$", "\"", "\\":
                throw reject("it contains \(SpiceName.describe(scalar))")
            case "(", "{": depth += 1
            case ")", "}":
                depth -= 1
                if depth < 0 { throw reject("its brackets are unbalanced") }
            default:
                if scalar.properties.generalCategory == .control || !scalar.isASCII {
                    throw reject("it contains \(SpiceName.describe(scalar))")
                }
            }
        }
        if depth != 0 { throw reject("its brackets are unbalanced") }
    }

    /// Bare words: names, numbers with suffixes, dotted identifiers.
    func checkWord(_ text: String, role: String) throws {
        let ok = !text.isEmpty && text.unicodeScalars.allSatisfy {
            SpiceName.isAllowed($0) || $0 == "." || $0 == "-" || $0 == "+"
        }
        if !ok { throw NetlistError.unsafeText(role: role, text: text, problem: "only letters, digits, '_', '.', '+' and '-' are allowed") }
    }

    // MARK: Text layout

    /// Joins tokens with single spaces, continuing with `+ ` lines past `lineWidth`.
    func fold(_ tokens: [String]) -> [String] {
        var total = tokens.count - 1
        for token in tokens { total += token.utf8.count }
        if total <= lineWidth { return [tokens.joined(separator: " ")] }
        var lines: [String] = []
        var current = ""
        for token in tokens {
            if current.isEmpty {
                current = token
            } else if current.utf8.count + 1 + token.utf8.count > lineWidth {
                lines.append(current)
                current = "+ " + token
            } else {
                current += " " + token
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    func commentLines(_ comments: [String]) -> [String] {
        comments.flatMap { comment in
            comment.split(separator: "\n", omittingEmptySubsequences: false).map { "* " + oneLine(String($0)) }
        }
        .map { $0.hasSuffix(" ") && $0 == "* " ? "*" : $0 }
    }

    /// Free text on a single line: control characters become spaces.
    func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map {
            $0.properties.generalCategory == .control ? " " : $0
        }))
    }
}

extension Deck {
    /// The deck as SPICE text (see `NetlistWriter`).
    public func text(lineWidth: Int = 100) throws -> String {
        try NetlistWriter(lineWidth: lineWidth).format(self)
    }
}
