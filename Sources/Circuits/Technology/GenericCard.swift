import Netlist

/// Crossloop's generic 90-nm-class CMOS model card: BSIM4 (ngspice `level=54`), 1.2 V.
///
/// **Generic, not a foundry model.** The parameter set was written for Crossloop so that
/// transistor-level circuits work out of the box with no download; it describes no real
/// process and must not be used to predict silicon. Its values are chosen to give the
/// behaviour people expect of a 90-nm general-purpose process, checked against ngspice 46
/// (drawn W = 1 um, 27 C; see `TechnologyTests`):
///
/// | figure | NMOS | PMOS |
/// |---|---|---|
/// | oxide (electrical) | 2.2 nm | 2.3 nm |
/// | V_T, extrapolated at V_DS = 50 mV, L = 0.1-1 um | 0.30-0.32 V | 0.31-0.32 V |
/// | I_on at V_GS = V_DS = 1.2 V, L = 0.1 um | ~730 uA/um | ~320 uA/um |
/// | I_off at V_GS = 0, V_DS = 1.2 V, L = 0.1 um | ~18 nA/um | ~5 nA/um |
/// | subthreshold swing | ~90 mV/dec | ~90 mV/dec |
/// | low-field mobility u0 | 360 cm^2/Vs | 110 cm^2/Vs |
/// | Early voltage at gm/Id = 12 S/A, L = 0.5 um | ~10 V | ~14 V |
///
/// Short-channel roll-off (dvt0/dvt1), DIBL (eta0, pdiblc), velocity saturation, channel-length
/// modulation, overlap and junction capacitances (diffusion areas from `dmcg`) and first-order
/// temperature coefficients are present; gate tunnelling, GIDL, noise and mismatch are not.
/// Minimum drawn L = 100 nm, W = 120 nm. The models are named `cl90n` and `cl90p`.
public enum GenericCard {
    public static let supplyVolts = 1.2
    public static let nmosModelName = "cl90n"
    public static let pmosModelName = "cl90p"
    public static let minimumLength = 100e-9
    public static let minimumWidth = 120e-9

    /// Settings shared by both polarities: BSIM4 4.8, mobility and capacitance models, no
    /// gate current or body/gate resistance networks, geometry-computed diffusion areas.
    static let common: [(String, Double)] = [
        ("level", 54), ("version", 4.8), ("binunit", 1), ("paramchk", 1), ("mobmod", 0), ("capmod", 2),
        ("igcmod", 0), ("igbmod", 0), ("geomod", 0), ("diomod", 1), ("rdsmod", 0), ("rbodymod", 0),
        ("rgatemod", 0), ("permod", 1), ("acnqsmod", 0), ("trnqsmod", 0), ("tempmod", 0), ("tnom", 27),
        ("epsrox", 3.9), ("wint", 5e-9), ("lint", 8e-9),
        // No halo-induced reverse short-channel effect, no narrow-width term.
        ("lpe0", 0), ("lpeb", 0), ("dvtp0", 0), ("k3", 0), ("k3b", 0),
        // Contact-to-gate distance for the junction areas BSIM4 computes when AS/AD are not given.
        ("dmcg", 1.3e-7), ("dmci", 1.3e-7),
        ("dvt2", -0.03), ("dsub", 0.2), ("minv", 0.05), ("xj", 3e-8), ("ngate", 2e20), ("nsd", 2e20),
        ("cdsc", 2.4e-4), ("cit", 0), ("voff", -0.11), ("nfactor", 1.5), ("eta0", 0.06), ("etab", -0.05),
        ("keta", -0.03), ("pdiblc1", 0.02), ("drout", 0.56), ("pvag", 0.5), ("delta", 0.01),
        ("fprout", 0.2), ("pdits", 0.1), ("pditsl", 2e6), ("prwg", 0.1), ("prwb", 0), ("wr", 1),
        ("cgbo", 0), ("cgsl", 0), ("cgdl", 0), ("ckappas", 0.6), ("mjs", 0.4), ("pbs", 0.8),
        ("cjsws", 1.2e-10), ("mjsws", 0.3), ("pbsws", 0.8), ("cjswgs", 2.5e-10), ("mjswgs", 0.3),
        ("pbswgs", 0.8), ("jss", 1e-6), ("jsws", 1e-12), ("kt1", -0.2), ("kt2", -0.03), ("ua1", 1e-9),
        ("ub1", -1e-18), ("uc1", -5e-11), ("at", 3.3e4),
    ]

    /// NMOS: threshold, body effect, mobility, saturation and output conductance, overlap and junction.
    static let nmosOnly: [(String, Double)] = [
        ("toxe", 2.2e-9), ("toxp", 1.9e-9), ("toxm", 2.2e-9),
        ("vth0", 0.325), ("k1", 0.36), ("k2", 0.02), ("dvt0", 1.2), ("dvt1", 2.2), ("ndep", 2.6e18),
        ("u0", 0.036), ("ua", 5e-10), ("ub", 1.1e-18), ("uc", -3e-11), ("vsat", 1.25e5), ("a0", 1.3), ("ags", 0.2),
        ("pclm", 0.15), ("pdiblc2", 0.004), ("rdsw", 120),
        ("cgso", 1.6e-10), ("cgdo", 1.6e-10), ("cjs", 9e-4), ("ute", -1.4),
    ]

    /// PMOS: the same structure with lower mobility and saturation velocity.
    static let pmosOnly: [(String, Double)] = [
        ("toxe", 2.3e-9), ("toxp", 2.0e-9), ("toxm", 2.3e-9),
        ("vth0", -0.325), ("k1", 0.33), ("k2", 0.01), ("dvt0", 1.0), ("dvt1", 2.0), ("ndep", 2.2e18),
        ("u0", 0.011), ("ua", 1.0e-9), ("ub", 1e-21), ("uc", -1e-10), ("vsat", 9e4), ("a0", 1.2), ("ags", 0.3),
        ("pclm", 0.12), ("pdiblc2", 0.002), ("rdsw", 220),
        ("cgso", 1.4e-10), ("cgdo", 1.4e-10), ("cjs", 1e-3), ("ute", -1.2),
    ]

    /// The two `.model` cards.
    public static var models: [Model] {
        func card(_ name: String, _ type: String, _ own: [(String, Double)]) -> Model {
            Model(name: name, type: type, parameters: (common + own).map { Parameter($0.0, .number($0.1)) })
        }
        return [card(nmosModelName, "nmos", nmosOnly), card(pmosModelName, "pmos", pmosOnly)]
    }
}

extension Technology {
    /// The built-in generic 90-nm-class card (see `GenericCard`): 1.2 V, one (typical) corner.
    public static func generic(temperatureCelsius: Double = 27) -> Technology {
        Technology(
            name: genericName,
            provenance: "Crossloop generic 90-nm-class BSIM4 card (level 54), not a foundry model",
            corner: .tt, temperatureCelsius: temperatureCelsius, supplyVolts: GenericCard.supplyVolts,
            nmos: MOSDevice(polarity: .n, name: GenericCard.nmosModelName, instantiation: .model,
                            minimumLength: GenericCard.minimumLength, minimumWidth: GenericCard.minimumWidth),
            pmos: MOSDevice(polarity: .p, name: GenericCard.pmosModelName, instantiation: .model,
                            minimumLength: GenericCard.minimumLength, minimumWidth: GenericCard.minimumWidth),
            models: GenericCard.models,
            engineVariables: ["scale": "1"],
            sizing: GenericCard.sizing
        )
    }
}
