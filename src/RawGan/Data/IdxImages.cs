namespace RawGan.Data;

/// <summary>The contents of an IDX image file: <paramref name="Count"/> images of Rows×Columns bytes, row-major, one after another.</summary>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels);
