namespace RawGan.Data;

/// <summary>
/// A read-only view of a seekable stream whose position never passes the end. StbImageSharp skips a segment by
/// seeking forward and detects the end of the data by Position == Length; a corrupt length field (a JPEG marker
/// claiming more bytes than the file has) seeks past the end, that test never succeeds and the decoder loops
/// forever. Clamping the seek turns such files into the decode error they should be.
/// </summary>
internal sealed class EndClampedStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = Math.Clamp(value, 0, inner.Length);
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => inner.Position + offset,
        _ => inner.Length + offset,
    };

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override int ReadByte() => inner.ReadByte();
    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
