namespace Framework;

/// <summary>
/// The host side of <see cref="F.YoloAssignTargets"/> for one image: IoUs of every ground truth with every
/// anchor box, the greedy one-anchor-per-ground-truth ownership, and the positive / background / ignore labels.
/// </summary>
internal sealed class YoloAssignment
{
    public required long[] Labels { get; init; }   // per anchor: 1, 0, -1
    public required int[] Matched { get; init; }   // per anchor: the ground truth it regresses, -1 if none
    public required int[] Owned { get; init; }     // per ground truth: the anchor it owns

    public static YoloAssignment Run(GroundTruth[] gts, AnchorGrid grid, double posIou, double negIou)
    {
        int k = grid.Count, g = gts.Length;
        var iou = new double[g][];
        for (int t = 0; t < g; t++)
        {
            iou[t] = new double[k];
            for (int q = 0; q < k; q++) iou[t][q] = Iou(gts[t], grid.Box(q));
        }
        var owner = Ownership(gts, grid, iou);
        var labels = new long[k];
        var matched = new int[k];
        for (int q = 0; q < k; q++)
        {
            int best = -1;
            double bestIou = 0;
            for (int t = 0; t < g; t++)
                if (best < 0 || iou[t][q] > bestIou || (iou[t][q] == bestIou && GroundTruth.CompareBoxes(gts[t], gts[best]) < 0))
                {
                    best = t;
                    bestIou = iou[t][q];
                }
            bool positive = owner[q] >= 0 || bestIou > posIou;
            matched[q] = owner[q] >= 0 ? owner[q] : positive ? best : -1;
            labels[q] = positive ? 1 : bestIou < negIou ? 0 : -1;
        }
        var owned = new int[g];
        for (int q = 0; q < k; q++) if (owner[q] >= 0) owned[owner[q]] = q;
        return new YoloAssignment { Labels = labels, Matched = matched, Owned = owned };
    }

    /// <summary>
    /// owner[q] = the ground truth owning anchor q, or -1. Greedy over (ground truth, free anchor) pairs in the
    /// order of <see cref="Better"/>: each round every unassigned ground truth proposes its best free anchor and the
    /// best proposal wins; proposals whose anchor was just taken are recomputed.
    /// </summary>
    private static int[] Ownership(GroundTruth[] gts, AnchorGrid grid, double[][] iou)
    {
        int k = grid.Count, g = gts.Length;
        var owner = new int[k];
        Array.Fill(owner, -1);
        var proposal = new int[g];
        var assigned = new bool[g];
        for (int t = 0; t < g; t++) proposal[t] = BestFree(t, gts, grid, iou, owner);
        for (int round = 0; round < g; round++)
        {
            int winner = -1;
            for (int t = 0; t < g; t++)
            {
                if (assigned[t]) continue;
                if (winner < 0 || Better(t, proposal[t], winner, proposal[winner], gts, grid, iou)) winner = t;
            }
            int q = proposal[winner];
            owner[q] = winner;
            assigned[winner] = true;
            for (int t = 0; t < g; t++)
                if (!assigned[t] && proposal[t] == q) proposal[t] = BestFree(t, gts, grid, iou, owner);
        }
        return owner;
    }

    private static int BestFree(int t, GroundTruth[] gts, AnchorGrid grid, double[][] iou, int[] owner)
    {
        int best = -1;
        for (int q = 0; q < grid.Count; q++)
            if (owner[q] < 0 && (best < 0 || Better(t, q, t, best, gts, grid, iou))) best = q;
        return best;
    }

    /// <summary>
    /// Whether pair (t, q) comes before pair (u, r): higher IoU; then the anchor centre nearer the box centre;
    /// then the lower anchor index; then the smaller box (so equal pairs of different boxes never depend on
    /// list order; pairs of identical boxes are interchangeable).
    /// </summary>
    private static bool Better(int t, int q, int u, int r, GroundTruth[] gts, AnchorGrid grid, double[][] iou)
    {
        if (iou[t][q] != iou[u][r]) return iou[t][q] > iou[u][r];
        double dq = CentreDistance2(gts[t], grid, q), dr = CentreDistance2(gts[u], grid, r);
        if (dq != dr) return dq < dr;
        if (q != r) return q < r;
        return GroundTruth.CompareBoxes(gts[t], gts[u]) < 0;
    }

    private static double CentreDistance2(GroundTruth gt, AnchorGrid grid, int q)
    {
        var (cx, cy) = grid.Centre(q);
        return (gt.Cx - cx) * (gt.Cx - cx) + (gt.Cy - cy) * (gt.Cy - cy);
    }

    /// <summary>torchvision's box_iou for one pair (x1, y1, x2, y2).</summary>
    internal static double Iou(GroundTruth gt, double[] b)
    {
        double w = Math.Max(0, Math.Min(gt.X2, b[2]) - Math.Max(gt.X1, b[0]));
        double h = Math.Max(0, Math.Min(gt.Y2, b[3]) - Math.Max(gt.Y1, b[1]));
        double inter = w * h;
        return inter / (gt.W * gt.H + (b[2] - b[0]) * (b[3] - b[1]) - inter);
    }
}
