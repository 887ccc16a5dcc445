import Foundation

/// The loss / accuracy curves of a run as a self-contained SVG: training loss per step
/// (light) with a moving average (dark) on top, training accuracy (moving average) and
/// validation accuracy below.
public enum LossPlot {
    public static func svg(_ records: [TrainingRecord], title: String = "Synpref training") -> String {
        let train = records.filter { $0.kind == .train }
        let eval = records.filter { $0.kind == .eval }
        let width = 720.0, panel = 220.0, left = 64.0, right = 16.0, top = 40.0, gap = 56.0
        let height = top + 2 * panel + gap + 40
        let maxStep = Double(Swift.max(1, (train.map(\.step) + eval.map(\.step)).max() ?? 1))
        func x(_ step: Int) -> Double { left + (width - left - right) * Double(step) / maxStep }
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(left)" y="22" font-size="15" font-weight="bold">\(escape(title))</text>

        """
        // Loss panel.
        let losses = train.compactMap { r in r.loss.map { (r.step, $0) } }
        let lossMax = Swift.max(1e-9, losses.map(\.1).max() ?? 1)
        let lossTop = top, lossBottom = top + panel
        func yLoss(_ v: Double) -> Double { lossBottom - (lossBottom - lossTop) * v / lossMax }
        out += axes(top: lossTop, bottom: lossBottom, left: left, right: width - right, label: "loss",
                    ticks: [(0, yLoss(0)), (lossMax / 2, yLoss(lossMax / 2)), (lossMax, yLoss(lossMax))], maxStep: Int(maxStep), x: x)
        out += polyline(losses.map { (x($0.0), yLoss($0.1)) }, color: "#9ecae1", width: 1)
        out += polyline(movingAverage(losses).map { (x($0.0), yLoss($0.1)) }, color: "#08519c", width: 2)
        // Accuracy panel.
        let accTop = lossBottom + gap, accBottom = accTop + panel
        func yAcc(_ v: Double) -> Double { accBottom - (accBottom - accTop) * v }
        out += axes(top: accTop, bottom: accBottom, left: left, right: width - right, label: "accuracy",
                    ticks: [(0, yAcc(0)), (0.5, yAcc(0.5)), (1, yAcc(1))], maxStep: Int(maxStep), x: x)
        out += polyline(movingAverage(train.map { ($0.step, $0.accuracy) }).map { (x($0.0), yAcc($0.1)) }, color: "#fd8d3c", width: 2)
        out += polyline(eval.map { (x($0.step), yAcc($0.accuracy)) }, color: "#238b45", width: 2)
        for r in eval { out += "<circle cx=\"\(f(x(r.step)))\" cy=\"\(f(yAcc(r.accuracy)))\" r=\"3\" fill=\"#238b45\"/>\n" }
        let ly = accBottom + 32
        out += legend(left, ly, "#08519c", "train loss (moving average)")
        out += legend(left + 220, ly, "#fd8d3c", "train accuracy (moving average)")
        if !eval.isEmpty { out += legend(left + 470, ly, "#238b45", "validation accuracy") }
        return out + "</svg>\n"
    }

    static func movingAverage(_ points: [(Int, Double)]) -> [(Int, Double)] {
        let window = Swift.max(1, points.count / 20)
        var out: [(Int, Double)] = [], sum = 0.0
        for (i, p) in points.enumerated() {
            sum += p.1
            if i >= window { sum -= points[i - window].1 }
            out.append((p.0, sum / Double(Swift.min(i + 1, window))))
        }
        return out
    }

    static func axes(top: Double, bottom: Double, left: Double, right: Double, label: String, ticks: [(Double, Double)],
                     maxStep: Int, x: (Int) -> Double) -> String {
        var s = "<line x1=\"\(f(left))\" y1=\"\(f(bottom))\" x2=\"\(f(right))\" y2=\"\(f(bottom))\" stroke=\"#444\"/>\n"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(bottom))\" stroke=\"#444\"/>\n"
        for (v, y) in ticks {
            s += "<line x1=\"\(f(left - 4))\" y1=\"\(f(y))\" x2=\"\(f(right))\" y2=\"\(f(y))\" stroke=\"#eee\"/>\n"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(String(format: "%.3g", v))</text>\n"
        }
        for step in [0, maxStep / 2, maxStep] {
            s += "<text x=\"\(f(x(step)))\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\">\(step)</text>\n"
        }
        s += "<text x=\"\(f(right))\" y=\"\(f(bottom + 30))\" text-anchor=\"end\" fill=\"#666\">step</text>\n"
        s += "<text x=\"\(f(left + 6))\" y=\"\(f(top + 12))\" fill=\"#666\">\(label)</text>\n"
        return s
    }

    static func polyline(_ points: [(Double, Double)], color: String, width: Double) -> String {
        guard !points.isEmpty else { return "" }
        let pts = points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
        return "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(width)\" points=\"\(pts)\"/>\n"
    }

    static func legend(_ x: Double, _ y: Double, _ color: String, _ text: String) -> String {
        "<line x1=\"\(f(x))\" y1=\"\(f(y - 4))\" x2=\"\(f(x + 18))\" y2=\"\(f(y - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/><text x=\"\(f(x + 24))\" y=\"\(f(y))\">\(escape(text))</text>\n"
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v.isFinite ? v : 0) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
