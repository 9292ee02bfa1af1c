/// Crossloop's own version, printed by `crossloop version` and recorded in every report.
enum CrossloopVersion {
    static let string = "0.1.0"
}
