import Foundation

/// Agreement between raters who label the same items with categories (the annotation app's
/// "a" / "b" / "tie", or any other strings). Categories are whatever labels occur, so one a
/// rater never uses simply has a marginal count of zero.
///
/// Every kappa here is chance-corrected agreement, κ = (p_o − p_e) / (1 − p_e): observed
/// agreement p_o against the agreement p_e that raters labelling at random with the observed
/// category frequencies would reach. When p_e = 1 (every label of every rater is one category)
/// κ is 0/0: the functions return NaN, as scikit-learn's `cohen_kappa_score` (its default
/// `replace_undefined_by=np.nan`) and statsmodels' `fleiss_kappa` do. Callers show it as
/// "undefined", not as agreement or disagreement.
///
/// Checked against scikit-learn and statsmodels on PandaLM's three human labels per pair
/// (scripts/reference/agreement_reference.py).
public enum Agreement {
    /// The fraction of items on which `a` and `b` give the same label (NaN for no items).
    /// `a[i]` and `b[i]` label the same item.
    public static func percentAgreement(_ a: [String], _ b: [String]) -> Double {
        precondition(a.count == b.count, "agreement needs both raters' labels of the same items")
        let agreed = zip(a, b).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
        return Double(agreed) / Double(a.count)
    }

    /// Cohen's kappa (Cohen 1960), unweighted, as scikit-learn's `cohen_kappa_score`:
    ///
    ///     p_o = (1/n) Σ_i [a_i = b_i]
    ///     p_e = Σ_k (n_k^a / n) (n_k^b / n)      over the union of both raters' categories
    ///     κ   = (p_o − p_e) / (1 − p_e)
    ///
    /// 1 for identical labels, 0 for agreement at chance level, negative below it. NaN when
    /// p_e = 1 (both raters used one and the same category throughout) or there are no items.
    public static func cohenKappa(_ a: [String], _ b: [String]) -> Double {
        precondition(a.count == b.count, "Cohen's kappa needs both raters' labels of the same items")
        var agreed = 0
        var countsA: [String: Int] = [:]
        var countsB: [String: Int] = [:]
        for (x, y) in zip(a, b) {
            if x == y { agreed += 1 }
            countsA[x, default: 0] += 1
            countsB[y, default: 0] += 1
        }
        // Multiplied through by n²: κ = (n·agreed − Σ_k n_k^a n_k^b) / (n² − Σ_k n_k^a n_k^b),
        // integer counts (exact in Double) up to the one division.
        let n = Double(a.count)
        let chance = countsA.reduce(0.0) { $0 + Double($1.value) * Double(countsB[$1.key] ?? 0) }
        let denominator = n * n - chance
        guard denominator > 0 else { return .nan }
        return (n * Double(agreed) - chance) / denominator
    }

    /// Fleiss' kappa (Fleiss 1971) for N items each labelled by the same number n ≥ 2 of
    /// raters, as statsmodels' `fleiss_kappa(method="fleiss")` on `aggregate_raters`' table.
    /// `ratings[i]` holds item i's n labels; which rater gave which does not matter. With
    /// n_ij the number of raters who put item i in category j:
    ///
    ///     P_i = (Σ_j n_ij² − n) / (n(n − 1))     agreeing rater pairs of item i
    ///     p_j = Σ_i n_ij / (N n)                 category j's share of all labels
    ///     κ   = (P̄ − P̄_e) / (1 − P̄_e),   P̄ = mean_i P_i,   P̄_e = Σ_j p_j²
    ///
    /// nil when the input is not such a table: no items, fewer than two labels per item, or
    /// items with different numbers of labels. NaN when P̄_e = 1 (one category throughout).
    public static func fleissKappa(_ ratings: [[String]]) -> Double? {
        guard let raters = raterCount(ratings) else { return nil }
        var sumOfSquares = 0.0  // Σ_i Σ_j n_ij²
        var totals: [String: Int] = [:]  // Σ_i n_ij per category
        for row in ratings {
            var counts: [String: Int] = [:]
            for label in row { counts[label, default: 0] += 1 }
            for (label, count) in counts {
                sumOfSquares += Double(count * count)
                totals[label, default: 0] += count
            }
        }
        // Multiplied through by (Nn)²(n − 1), with C = Σ_j (Σ_i n_ij)² = (Nn)² P̄_e:
        // κ = ((Σ n_ij² − Nn)·Nn − (n − 1)·C) / ((n − 1)((Nn)² − C)), counts exact up to the division.
        let n = Double(raters)
        let labels = n * Double(ratings.count)
        let chance = totals.values.reduce(0.0) { $0 + Double($1) * Double($1) }
        let denominator = (n - 1) * (labels * labels - chance)
        guard denominator > 0 else { return .nan }
        return ((sumOfSquares - labels) * labels - (n - 1) * chance) / denominator
    }

    /// The mean over all pairs of raters of their percent agreement, for the same tables as
    /// `fleissKappa` (and nil for the same inputs). `ratings[i][r]` is rater r's label of item
    /// i. Equal to Fleiss' P̄, the mean fraction of agreeing rater pairs per item: every pair
    /// of raters labels every item.
    public static func meanPairwiseAgreement(_ ratings: [[String]]) -> Double? {
        guard let raters = raterCount(ratings) else { return nil }
        var agreeing = 0
        for row in ratings {
            for i in 0..<raters {
                for j in (i + 1)..<raters where row[i] == row[j] { agreeing += 1 }
            }
        }
        let pairs = raters * (raters - 1) / 2 * ratings.count
        return Double(agreeing) / Double(pairs)
    }

    /// The number of labels per item when every item has the same number, at least two.
    private static func raterCount(_ ratings: [[String]]) -> Int? {
        guard let raters = ratings.first?.count, raters >= 2,
              ratings.allSatisfy({ $0.count == raters }) else { return nil }
        return raters
    }
}
