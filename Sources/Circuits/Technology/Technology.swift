import Foundation
import Netlist

/// NMOS or PMOS.
public enum MOSPolarity: String, CaseIterable, Sendable, Hashable, Codable {
    case n, p
}

/// A process corner: typical, or slow/fast NMOS then PMOS.
public enum ProcessCorner: String, CaseIterable, Sendable, Hashable, Codable {
    case tt, ss, ff, sf, fs
}

/// One transistor flavour of a technology: what to write in the deck and its limits.
public struct MOSDevice: Sendable, Hashable {
    /// How the device appears in a deck.
    public enum Instantiation: String, Sendable, Hashable {
        /// An `M` card naming a `.model` (the generic card).
        case model
        /// An `X` card naming a subcircuit that wraps the model (sky130's `sky130_fd_pr__nfet_01v8`).
        case subcircuit
    }

    public var polarity: MOSPolarity
    /// The model or subcircuit name.
    public var name: String
    public var instantiation: Instantiation
    /// Shortest drawn channel length, metres.
    public var minimumLength: Double
    /// Narrowest drawn width, metres.
    public var minimumWidth: Double
    /// Instance `w`/`l` are written as metres times this factor: 1 for SI, 1e6 for a PDK that
    /// sets `.option scale=1u` (sky130) and takes microns.
    public var geometryScale: Double

    public init(polarity: MOSPolarity, name: String, instantiation: Instantiation, minimumLength: Double,
                minimumWidth: Double, geometryScale: Double = 1) {
        self.polarity = polarity; self.name = name; self.instantiation = instantiation
        self.minimumLength = minimumLength; self.minimumWidth = minimumWidth; self.geometryScale = geometryScale
    }
}

/// A CMOS technology as a value: the model cards a deck needs, the supply, the devices, the
/// corner and temperature, the interpreter flags the engine must set, and the sizing data
/// (gm/Id tables) the generators design with.
///
/// Two are built in: `Technology.generic()`, Crossloop's own 90-nm-class BSIM4 card embedded
/// in the source (no download), and `Technology.sky130(corner:)`, the SkyWater 130 nm models
/// fetched into a cache by `Scripts/fetch-pdk.sh` (see `Sky130PDK`).
///
/// Generators size at the technology's nominal point (typical corner, 27 C): `sizing` is
/// always the nominal table, as in a real design flow; the corner and temperature only change
/// what the simulator is told (`options`, the corner's model section), so a characterisation
/// at `ss`/85 C shows how the nominal design moves.
public struct Technology: Sendable, Hashable {
    /// Short identifier as typed on the command line: `generic`, `sky130`.
    public var name: String
    /// One line on what the models are and where they come from.
    public var provenance: String
    public var corner: ProcessCorner
    /// Simulation temperature, degrees Celsius (`.options temp=`).
    public var temperatureCelsius: Double
    /// Nominal supply, volts.
    public var supplyVolts: Double
    public var nmos: MOSDevice
    public var pmos: MOSDevice
    /// `.include` / `.lib` cards for the model files.
    public var includes: [Include]
    /// Inline `.model` cards.
    public var models: [Model]
    /// `.param` cards the model files expect to find.
    public var parameters: [Parameter]
    /// Interpreter variables to set before the deck is read (`RunRequest.variables`).
    public var engineVariables: [String: String?]
    /// The gm/Id tables and capacitances used for sizing, extracted at the nominal point.
    public var sizing: SizingData
    /// A designer's model library (`--tech FILE[:section]`) for the devices of their own
    /// blocks, included on top of this technology; Crossloop's own parts keep this
    /// technology's devices.
    public var userLibrary: UserLibrary?

    public init(name: String, provenance: String, corner: ProcessCorner, temperatureCelsius: Double,
                supplyVolts: Double, nmos: MOSDevice, pmos: MOSDevice, includes: [Include] = [],
                models: [Model] = [], parameters: [Parameter] = [], engineVariables: [String: String?] = [:],
                sizing: SizingData) {
        self.name = name; self.provenance = provenance; self.corner = corner
        self.temperatureCelsius = temperatureCelsius; self.supplyVolts = supplyVolts
        self.nmos = nmos; self.pmos = pmos; self.includes = includes; self.models = models
        self.parameters = parameters; self.engineVariables = engineVariables; self.sizing = sizing
    }

    /// `generic`, or `sky130:tt`: what `--tech` takes; with a user library, that library.
    public var identifier: String {
        if let userLibrary { return userLibrary.reference }
        return name == Technology.genericName ? name : "\(name):\(corner.rawValue)"
    }

    /// For messages: " with the library FILE section tt" when a user library is included.
    public var libraryDescription: String {
        userLibrary.map { " with the library \($0.path)" + ($0.section.map { " section \($0)" } ?? "") } ?? ""
    }

    /// This technology with the designer's library included on top.
    public func including(_ library: UserLibrary) -> Technology {
        var technology = self
        technology.userLibrary = library
        technology.includes.append(library.include)
        technology.provenance += "; the designer's blocks on \(library.reference)"
        return technology
    }

    /// Mid-rail, volts: the analogue reference of single-supply circuits.
    public var midRailVolts: Double { supplyVolts / 2 }

    public func device(_ polarity: MOSPolarity) -> MOSDevice { polarity == .n ? nmos : pmos }

    /// Drawing grid for generated geometry, metres (5 nm).
    public static let drawingGrid = 5e-9

    /// `metres` rounded up to the drawing grid (ten-thousandths of a grid step are forgiven,
    /// so values already on the grid stay put).
    public func snapped(_ metres: Double) -> Double {
        let steps = (metres / Technology.drawingGrid * 1e4).rounded() / 1e4
        return roundedGeometry(steps.rounded(.up) * Technology.drawingGrid)
    }

    /// `.options` this technology needs: the simulation temperature (the models carry their own
    /// nominal temperature) and the geometry scale.
    ///
    /// About `scale`: ngspice turns `.option scale=...` into an interpreter variable that
    /// outlives the circuit, and applies it while it reads the *next* deck's instances, before
    /// that deck's own `.options` count. A generic deck run on a library copy that ran sky130
    /// (whose models set `scale=1u`) would read metres as microns ("Effective channel length
    /// <= 0"). So both technologies also set `scale` in `engineVariables`, which the engine sets
    /// before reading the deck and unsets after the run.
    public var options: [Parameter] {
        [Parameter("temp", .number(temperatureCelsius)), Parameter("scale", .number(1 / nmos.geometryScale))]
    }

    /// A transistor card: an `M` element for a model card, an `X` instance for a PDK that
    /// wraps its models in subcircuits. Width and length in metres.
    public func transistor(_ name: String, _ polarity: MOSPolarity, drain: String, gate: String, source: String,
                           bulk: String, width: Double, length: Double) -> Element {
        let device = device(polarity)
        let geometry = [Parameter("w", .number(roundedGeometry(width * device.geometryScale))),
                        Parameter("l", .number(roundedGeometry(length * device.geometryScale)))]
        switch device.instantiation {
        case .model:
            return .mosfet(Mosfet(name: name, drain: drain, gate: gate, source: source, bulk: bulk,
                                  model: device.name, parameters: geometry))
        case .subcircuit:
            return .instance(SubcircuitInstance(name: name, nodes: [drain, gate, source, bulk],
                                                subcircuit: device.name, parameters: geometry))
        }
    }

    /// Adds what the technology needs to `deck`: includes, models, parameters and options that
    /// are not there yet (a deck may hold several generated blocks of the same technology).
    public func prepare(_ deck: inout Deck) {
        for include in includes where !deck.includes.contains(include) { deck.includes.append(include) }
        for model in models where !deck.models.contains(where: { $0.name.lowercased() == model.name.lowercased() }) {
            deck.models.append(model)
        }
        for parameter in parameters where !deck.parameters.contains(where: { $0.name.lowercased() == parameter.name.lowercased() }) {
            deck.parameters.append(parameter)
        }
        for option in options where !deck.options.contains(where: { $0.name.lowercased() == option.name.lowercased() }) {
            deck.options.append(option)
        }
    }

    /// The technology's own values, for reports.
    public var designValues: [DesignValue] {
        [
            DesignValue("tech.supply", supplyVolts, "V", "supply voltage (\(identifier))"),
            DesignValue("tech.temperature", temperatureCelsius, "C", "simulation temperature"),
            DesignValue("tech.nmos.lmin", nmos.minimumLength, "m", "minimum length, \(nmos.name)"),
            DesignValue("tech.pmos.lmin", pmos.minimumLength, "m", "minimum length, \(pmos.name)"),
            DesignValue("tech.nmos.wmin", nmos.minimumWidth, "m", "minimum width, \(nmos.name)"),
            DesignValue("tech.pmos.wmin", pmos.minimumWidth, "m", "minimum width, \(pmos.name)"),
        ]
    }

    public static let genericName = "generic"
    public static let sky130Name = "sky130"

    /// Resolves a `--tech` argument: `generic`, `sky130` (typical) or `sky130:CORNER`.
    public static func named(_ text: String, temperatureCelsius: Double = 27,
                             environment: [String: String] = ProcessInfo.processInfo.environment) throws(TechnologyError)
        -> Technology
    {
        let parts = text.lowercased().split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch parts.first {
        case genericName where parts.count == 1:
            return generic(temperatureCelsius: temperatureCelsius)
        case genericName:
            throw .unknownTechnology(text, reason: "the generic card has one corner; write generic")
        case sky130Name:
            var corner = ProcessCorner.tt
            if parts.count == 2 {
                guard let c = ProcessCorner(rawValue: parts[1]) else {
                    throw .unknownTechnology(text, reason: "unknown corner '\(parts[1])'; use tt, ss, ff, sf or fs")
                }
                corner = c
            } else if parts.count > 2 {
                throw .unknownTechnology(text, reason: "write sky130:CORNER, e.g. sky130:tt")
            }
            let pdk = try Sky130PDK.locate(environment: environment)
            return sky130(pdk: pdk, corner: corner, temperatureCelsius: temperatureCelsius)
        default:
            throw .unknownTechnology(text, reason: "use generic or sky130:tt|ss|ff|sf|fs")
        }
    }
}

/// A designer's ngspice model library and the corner section to take from it.
public struct UserLibrary: Sendable, Hashable {
    /// Absolute path.
    public var path: String
    /// A `.lib` section (`tt`), or nil to include the whole file.
    public var section: String?

    public init(path: String, section: String?) { self.path = path; self.section = section }

    /// `FILE[:section]` as `--tech` takes it (the last colon splits, when what follows names a
    /// section the file defines or the whole text is not a file).
    public static func parse(_ text: String, directory: String = FileManager.default.currentDirectoryPath)
        throws(TechnologyError) -> UserLibrary
    {
        func absolute(_ p: String) -> String {
            p.hasPrefix("/") ? p : URL(fileURLWithPath: directory).appendingPathComponent(p).standardized.path
        }
        var path = absolute(text), section: String?
        if !FileManager.default.fileExists(atPath: path), let colon = text.lastIndex(of: ":") {
            path = absolute(String(text[..<colon]))
            section = String(text[text.index(after: colon)...])
        }
        guard let data = FileManager.default.contents(atPath: path), let body = String(data: data, encoding: .utf8) else {
            throw .unknownTechnology(text, reason: "\(path): no such model library (use generic, sky130[:corner] or FILE[:section])")
        }
        let sections = Self.sections(in: body)
        if let wanted = section {
            guard let found = sections.first(where: { $0.lowercased() == wanted.lowercased() }) else {
                throw .unknownTechnology(text, reason: "\(path) has no section '\(wanted)'" +
                    (sections.isEmpty ? " (it has no .lib sections; give the file alone)" : " (its sections: \(sections.joined(separator: ", ")))"))
            }
            section = found
        } else if !sections.isEmpty {
            throw .unknownTechnology(text, reason: "\(path) has sections \(sections.joined(separator: ", ")): name one, as \(text):\(sections[0])")
        }
        return UserLibrary(path: path, section: section)
    }

    /// The section names a library file defines (`.lib tt` ... `.endl`).
    static func sections(in text: String) -> [String] {
        text.split(separator: "\n").compactMap { raw in
            let tokens = raw.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard tokens.count == 2, tokens[0].lowercased() == ".lib" else { return nil }
            return String(tokens[1])
        }
    }

    public var include: Include { section.map { .library(path, section: $0) } ?? .file(path) }
    public var reference: String { path + (section.map { ":\($0)" } ?? "") }
}

/// Geometry is written to the picometre (or the PDK's equivalent): stable decks, no noise
/// digits. Thirteen significant digits.
public func roundedGeometry(_ x: Double) -> Double {
    guard x.isFinite, x != 0 else { return x }
    let scale = pow(10, 12 - floor(log10(abs(x))))  // 13 significant digits
    return (x * scale).rounded() / scale
}

/// Why a technology cannot be used.
public enum TechnologyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `--tech` text names no known technology or corner.
    case unknownTechnology(String, reason: String)
    /// The sky130 models are not in the cache.
    case pdkMissing(root: String)
    /// The cache exists but a file the models need is missing.
    case pdkIncomplete(root: String, missing: String)
    /// A sizing table lookup outside the extracted range.
    case outOfTable(what: String)

    public var description: String {
        switch self {
        case .unknownTechnology(let text, let reason):
            return "unknown technology '\(text)': \(reason)"
        case .pdkMissing(let root):
            return "the sky130 models are not in \(root): run Scripts/fetch-pdk.sh (or set CROSSLOOP_PDK_ROOT to where it put them)"
        case .pdkIncomplete(let root, let missing):
            return "the sky130 models in \(root) are incomplete (\(missing) is missing): run Scripts/fetch-pdk.sh again"
        case .outOfTable(let what):
            return "sizing table lookup out of range: \(what)"
        }
    }
}
