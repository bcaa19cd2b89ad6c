namespace Framework.Examples;

/// <summary>A lab: what it teaches, how to run it, and whether it trains (its quick run's loss must go down).</summary>
public sealed record Lab(string Description, Func<LabOptions, LabResult> Run, bool Trains = true);

public static class Labs
{
    public static IReadOnlyDictionary<string, Lab> All { get; } = new SortedDictionary<string, Lab>
    {
        ["dcn"] = new("deformable convolution: two stacked DCN layers learn to follow thin curves when denoising; their 81 effective sampling points (points_collection), before and after training", DcnLab.Run),
        ["detect"] = new("a tiny YOLO-style detector (anchors, target assignment, GIoU + BCE loss, NMS) on generated shape scenes; VOC mAP@0.5", DetectLab.Run),
        ["devices"] = new("the devices of this machine (cpu, ILGPU's CPU accelerator, CUDA when present) and one op on each", DevicesLab.Run, Trains: false),
        ["stn"] = new("spatial transformer networks: a localisation net learns to undo rotation, scale and shift before classifying (affine_grid + grid_sample)", StnLab.Run),
        ["trajectory"] = new("trajectory optimisation: gradient descent through grid_sample of a costmap bends a path around obstacles", TrajectoryLab.Run),
        ["gradcheck"] = new("property-based gradient testing of your own op: a subtly wrong backward, the shrunk counterexample, the fix", GradCheckLab.Run),
        ["pose"] = new("integral regression: keypoints from heatmaps by argmax (cross-entropy) vs soft-argmax (L1), errors in pixels", PoseLab.Run),
    };
}
