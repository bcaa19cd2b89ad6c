using Framework.Models;
using Xunit;

namespace Framework.Tests.Models;

public class SyntheticDataTests
{
    [Fact]
    public void Digits_are_deterministic_balanced_images_in_the_unit_range()
    {
        var (x, y) = SyntheticDigits.Generate(40, seed: 7);
        Assert.Equal(new Shape(40, 1, 28, 28), x.Shape);
        Assert.Equal(DType.Int64, y.DType);
        var v = x.ToArray<float>();
        Assert.All(v, p => Assert.InRange(p, 0f, 1f));
        Assert.Equal(Enumerable.Repeat(4, 10), y.ToArray<long>().GroupBy(l => l).OrderBy(g => g.Key).Select(g => g.Count()));
        Assert.Equal(v, SyntheticDigits.Generate(40, seed: 7).Images.ToArray<float>());
        Assert.NotEqual(v, SyntheticDigits.Generate(40, seed: 8).Images.ToArray<float>());
        // every glyph has ink, and not everywhere
        for (int n = 0; n < 40; n++)
        {
            double ink = v.Skip(n * 784).Take(784).Average(p => (double)p);
            Assert.InRange(ink, 0.03, 0.5);
        }
    }

    [Fact]
    public void Undistorted_digits_are_told_apart_by_a_nearest_centroid_classifier()
    {
        var (train, trainY) = SyntheticDigits.Generate(200, seed: 1, distortion: 0);
        var (test, testY) = SyntheticDigits.Generate(100, seed: 2, distortion: 0);
        var t = train.ToArray<float>();
        var labels = trainY.ToArray<long>();
        var centroids = new double[10, 784];
        for (int n = 0; n < 200; n++)
            for (int k = 0; k < 784; k++) centroids[labels[n], k] += t[n * 784 + k] / 20.0;
        var q = test.ToArray<float>();
        var ql = testY.ToArray<long>();
        int correct = 0;
        for (int n = 0; n < 100; n++)
        {
            int best = -1;
            double bestD = double.MaxValue;
            for (int c = 0; c < 10; c++)
            {
                double d = 0;
                for (int k = 0; k < 784; k++) { double e = q[n * 784 + k] - centroids[c, k]; d += e * e; }
                if (d < bestD) { bestD = d; best = c; }
            }
            if (best == ql[n]) correct++;
        }
        Assert.True(correct >= 95, $"nearest centroid got {correct}/100 on undistorted glyphs");
    }

    [Fact]
    public void Figures_have_their_keypoints_inside_the_image_and_on_the_drawing()
    {
        var (x, kp) = SyntheticFigures.Generate(30, seed: 3, size: 64);
        Assert.Equal(new Shape(30, 1, 64, 64), x.Shape);
        Assert.Equal(new Shape(30, SyntheticFigures.KeypointCount, 2), kp.Shape);
        var img = x.ToArray<float>();
        var k = kp.ToArray<float>();
        int onInk = 0, total = 0;
        for (int n = 0; n < 30; n++)
            for (int j = 0; j < SyntheticFigures.KeypointCount; j++)
            {
                float px = k[(n * 11 + j) * 2], py = k[(n * 11 + j) * 2 + 1];
                Assert.InRange(px, 0f, 64f);
                Assert.InRange(py, 0f, 64f);
                if (j == 0) continue;   // the head keypoint is the centre of the head circle
                int col = Math.Clamp((int)px, 0, 63), row = Math.Clamp((int)py, 0, 63);
                total++;
                if (img[n * 4096 + row * 64 + col] > 0.3f) onInk++;
            }
        Assert.True(onInk >= total * 0.95, $"{onInk}/{total} keypoints lie on a drawn line");
        Assert.Equal(k, SyntheticFigures.Generate(30, seed: 3, size: 64).Keypoints.ToArray<float>());
    }

    [Fact]
    public void Shape_scenes_have_tight_valid_boxes_over_the_drawn_shapes()
    {
        var scenes = SyntheticShapes.Generate(25, seed: 4, size: 64, maxObjects: 4);
        Assert.Equal(new Shape(25, 3, 64, 64), scenes.Images.Shape);
        var img = scenes.Images.ToArray<float>();
        for (int n = 0; n < 25; n++)
        {
            var b = scenes.Boxes[n].ToArray<float>();
            var l = scenes.Labels[n].ToArray<long>();
            int count = l.Length;
            Assert.InRange(count, 1, 4);
            Assert.Equal(new Shape(count, 4), scenes.Boxes[n].Shape);
            for (int o = 0; o < count; o++)
            {
                float x1 = b[o * 4], y1 = b[o * 4 + 1], x2 = b[o * 4 + 2], y2 = b[o * 4 + 3];
                Assert.True(x1 >= 0 && y1 >= 0 && x2 <= 64 && y2 <= 64 && x2 - x1 > 4 && y2 - y1 > 4, $"box {x1},{y1},{x2},{y2}");
                Assert.InRange(l[o], 0, 2);
                // the box centre is painted with the shape (brighter than the noisy background, whose channels stay below 0.15)
                int cx = (int)((x1 + x2) / 2), cy = (int)((y1 + y2) / 2);
                float brightest = Enumerable.Range(0, 3).Max(c => img[((n * 3 + c) * 64 + cy) * 64 + cx]);
                Assert.True(brightest > 0.5f, $"scene {n} object {o}: centre brightness {brightest}");
                for (int p = 0; p < o; p++)
                    Assert.True(SyntheticShapes.IoU((x1, y1, x2, y2), (b[p * 4], b[p * 4 + 1], b[p * 4 + 2], b[p * 4 + 3])) <= 0.3);
            }
        }
    }
}
