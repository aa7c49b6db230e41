using System.Buffers.Binary;
using System.Text;
using RawGan.IO;
using RawGan.Tests.Data;

namespace RawGan.Tests.IO;

/// <summary>The header is padded with spaces to a multiple of 8 bytes, so the data buffer starts 8-byte aligned (as the
/// reference implementation writes it), for headers of every length mod 8; and the reader holds foreign files to the
/// format's rules, naming the one broken.</summary>
public class SafeTensorsAlignmentTests
{
    [Fact]
    public void Headers_of_every_length_mod_8_are_padded_with_spaces_to_a_multiple_of_8()
    {
        using var folder = new TempFolder();
        var unpadded = new HashSet<int>();
        for (int nameLength = 1; nameLength <= 16; nameLength++)
        {
            string path = folder.File($"n{nameLength}.safetensors");
            SafeTensors.Write(path, [SafeTensorEntry.FromValues<double>(new string('w', nameLength), [1], [1.5])]);
            byte[] file = File.ReadAllBytes(path);
            long n = BinaryPrimitives.ReadInt64LittleEndian(file);
            string header = Encoding.UTF8.GetString(file, 8, (int)n);
            unpadded.Add(header.TrimEnd(' ').Length % 8);
            Assert.True(n % 8 == 0, $"name length {nameLength}: header length {n} is not a multiple of 8");
            Assert.True(header.TrimEnd(' ').EndsWith('}') && header.Length - header.TrimEnd(' ').Length < 8, $"padding of '{header}'");
            Assert.Equal(1.5, BitConverter.ToDouble(file, 8 + (int)n)); // the data buffer starts right after
            Assert.Equal(1.5, SafeTensors.Read(path).Get(new string('w', nameLength)).ToArray<double>()[0]);
        }
        Assert.Equal(8, unpadded.Count); // every remainder was padded
    }

    [Theory]
    [InlineData("\n", "only spaces (0x20) may pad it")]
    [InlineData("\t   ", "only spaces (0x20) may pad it")]
    public void Padding_other_than_spaces_is_refused_by_name(string padding, string rule)
    {
        using var folder = new TempFolder();
        string path = folder.File("foreign.safetensors");
        byte[] json = Encoding.UTF8.GetBytes("""{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""" + padding);
        byte[] file = new byte[8 + json.Length + 4];
        BinaryPrimitives.WriteInt64LittleEndian(file, json.Length);
        json.CopyTo(file, 8);
        File.WriteAllBytes(path, file);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path));
        Assert.Contains(rule, e.Message);
        Assert.Contains("foreign.safetensors", e.Message);
    }
}
