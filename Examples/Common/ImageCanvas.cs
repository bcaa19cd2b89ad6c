using SkiaSharp;

namespace Framework.Examples;

/// <summary>
/// A picture for a lab: grey images (from tensors) laid out in a grid, scaled up, with points, boxes, paths
/// and labels drawn over them in image-pixel coordinates. SkiaSharp does the drawing and the PNG encoding.
/// </summary>
public sealed class ImageCanvas : IDisposable
{
    private readonly SKBitmap _bitmap;
    private readonly SKCanvas _canvas;
    private readonly int _cellW, _cellH, _cols, _scale, _pad;

    public ImageCanvas(int cells, int cellHeight, int cellWidth, int cols, int scale = 4, int pad = 2, int captionHeight = 0)
    {
        _cols = Math.Max(1, Math.Min(cols, cells));
        int rows = (cells + _cols - 1) / _cols;
        _scale = scale;
        _pad = pad;
        _cellW = cellWidth * scale + pad;
        _cellH = cellHeight * scale + pad + captionHeight;
        _bitmap = new SKBitmap(_cols * _cellW + pad, rows * _cellH + pad);
        _canvas = new SKCanvas(_bitmap);
        _canvas.Clear(new SKColor(32, 32, 32));
    }

    private (float X, float Y) Origin(int cell) => (_pad + cell % _cols * _cellW, _pad + cell / _cols * _cellH);

    /// <summary>Draws a (H, W) grey image with values mapped from [lo, hi] to black..white (or a colour ramp).</summary>
    public void DrawImage(int cell, Tensor image, double lo = 0, double hi = 1, bool heat = false)
    {
        if (image.Rank != 2) throw new ArgumentException($"DrawImage: expected a (H, W) image, got {image.Shape}");
        int h = image.Shape[0], w = image.Shape[1];
        var v = image.ToDoubleArray();
        var (ox, oy) = Origin(cell);
        using var paint = new SKPaint();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double t = Math.Clamp((v[y * w + x] - lo) / Math.Max(hi - lo, 1e-12), 0, 1);
                paint.Color = heat ? Heat(t) : new SKColor((byte)(255 * t), (byte)(255 * t), (byte)(255 * t));
                _canvas.DrawRect(ox + x * _scale, oy + y * _scale, _scale, _scale, paint);
            }
    }

    /// <summary>Draws a (3, H, W) RGB image with values in [0, 1].</summary>
    public void DrawColorImage(int cell, Tensor image)
    {
        if (image.Rank != 3 || image.Shape[0] != 3) throw new ArgumentException($"DrawColorImage: expected a (3, H, W) image, got {image.Shape}");
        int h = image.Shape[1], w = image.Shape[2];
        var v = image.ToDoubleArray();
        var (ox, oy) = Origin(cell);
        using var paint = new SKPaint();
        byte C(int c, int y, int x) => (byte)(255 * Math.Clamp(v[(c * h + y) * w + x], 0, 1));
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                paint.Color = new SKColor(C(0, y, x), C(1, y, x), C(2, y, x));
                _canvas.DrawRect(ox + x * _scale, oy + y * _scale, _scale, _scale, paint);
            }
    }

    private static SKColor Heat(double t) =>
        new((byte)(255 * Math.Clamp(1.5 * t, 0, 1)), (byte)(255 * Math.Clamp(1.5 * t - 0.5, 0, 1)), (byte)(255 * Math.Clamp(3 * t - 2, 0, 1)));

    private SKPoint P(int cell, double x, double y)
    {
        var (ox, oy) = Origin(cell);
        // image coordinates: pixel centres at integers, so pixel i spans [i - 0.5, i + 0.5]
        return new SKPoint(ox + (float)((x + 0.5) * _scale), oy + (float)((y + 0.5) * _scale));
    }

    public void DrawPoint(int cell, double x, double y, SKColor color, float radius = 2.5f)
    {
        using var paint = new SKPaint { Color = color, IsAntialias = true };
        _canvas.DrawCircle(P(cell, x, y), radius, paint);
    }

    public void DrawCross(int cell, double x, double y, SKColor color, float size = 4)
    {
        using var paint = new SKPaint { Color = color, IsAntialias = true, StrokeWidth = 1.5f, Style = SKPaintStyle.Stroke };
        var p = P(cell, x, y);
        _canvas.DrawLine(p.X - size, p.Y - size, p.X + size, p.Y + size, paint);
        _canvas.DrawLine(p.X - size, p.Y + size, p.X + size, p.Y - size, paint);
    }

    /// <summary>A box given by its corners (x1, y1, x2, y2) in pixel-edge coordinates.</summary>
    public void DrawBox(int cell, double x1, double y1, double x2, double y2, SKColor color, string? label = null)
    {
        var (ox, oy) = Origin(cell);
        using var paint = new SKPaint { Color = color, IsAntialias = true, StrokeWidth = 1.5f, Style = SKPaintStyle.Stroke };
        var r = new SKRect(ox + (float)(x1 * _scale), oy + (float)(y1 * _scale), ox + (float)(x2 * _scale), oy + (float)(y2 * _scale));
        _canvas.DrawRect(r, paint);
        if (label is not null) DrawTextAt(r.Left + 1, r.Top - 2, label, color);
    }

    public void DrawPath(int cell, IReadOnlyList<(double X, double Y)> points, SKColor color, float width = 2)
    {
        using var paint = new SKPaint { Color = color, IsAntialias = true, StrokeWidth = width, Style = SKPaintStyle.Stroke };
        for (int i = 1; i < points.Count; i++)
            _canvas.DrawLine(P(cell, points[i - 1].X, points[i - 1].Y), P(cell, points[i].X, points[i].Y), paint);
    }

    public void DrawCaption(int cell, string text, SKColor? color = null)
    {
        var (ox, oy) = Origin(cell);
        DrawTextAt(ox, oy + _cellH - _pad - 3, text, color ?? SKColors.White);
    }

    private void DrawTextAt(float x, float y, string text, SKColor color)
    {
        using var font = new SKFont(SKTypeface.Default, 11);
        using var paint = new SKPaint { Color = color, IsAntialias = true };
        _canvas.DrawText(text, x, y, font, paint);
    }

    public void Save(string path)
    {
        using var image = SKImage.FromBitmap(_bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    public void Dispose()
    {
        _canvas.Dispose();
        _bitmap.Dispose();
    }
}
