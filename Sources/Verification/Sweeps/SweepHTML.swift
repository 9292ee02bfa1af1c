import Foundation

/// The sweep's HTML report.
enum SweepHTML {
    static func page(_ s: SweepStatistics) -> String {
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>\(escape(s.spec.name))</title></head><body><pre>\(escape(s.text))</pre></body></html>\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
