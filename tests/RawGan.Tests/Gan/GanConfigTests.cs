using RawGan.Data;
using RawGan.Gan;
using RawGan.Gan.Models;
using RawGan.Gan.Recipes;

namespace RawGan.Tests.Gan;

/// <summary>The config's enumerated options as JSON spells them, and the recipe each model gets.</summary>
public class GanConfigTests
{
    [Fact]
    public void Enumerated_options_are_written_as_their_lowercase_names()
    {
        string json = new GanConfig
        {
            Model = ModelKind.Cdcgan, Variant = DcganVariant.TensorFlow, Loss = GanLoss.Mse, Resize = ResizeMode.Fit, OnNan = NanPolicy.Rollback,
        }.ToJson();
        foreach (string pair in new[] { "\"model\": \"cdcgan\"", "\"variant\": \"tensorflow\"", "\"loss\": \"mse\"", "\"resize\": \"fit\"", "\"onNan\": \"rollback\"" })
            Assert.Contains(pair, json);
        Assert.Contains("\"resize\": \"crop\"", new GanConfig().ToJson());
    }

    [Theory]
    [InlineData("""{ "model": "gan" }""", "model", "must be mlp, dcgan, cgan or cdcgan, not 'gan'")]
    [InlineData("""{ "model": "Dcgan" }""", "model", "not 'Dcgan'")]
    [InlineData("""{ "loss": 1 }""", "loss", "must be bce, mse, wgan-gp or hinge, not '1'")]
    [InlineData("""{ "variant": "keras" }""", "variant", "must be pytorch or tensorflow")]
    [InlineData("""{ "resize": "centerCrop" }""", "resize", "must be crop, fit or pad")]
    [InlineData("""{ "onNan": null }""", "onNan", "must be stop or rollback")]
    public void An_unknown_name_in_a_file_is_an_error_naming_the_file_the_key_and_the_accepted_names(string json, string key, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => GanConfig.FromJson(json, "run.json"));
        Assert.Contains("run.json", e.Message);
        Assert.Contains(key, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData(ModelKind.Mlp, false, true, null, 64)]
    [InlineData(ModelKind.Cgan, true, true, null, 64)]
    [InlineData(ModelKind.Dcgan, false, false, 32, 64)]
    [InlineData(ModelKind.Cdcgan, true, false, 32, 64)]
    public void Each_model_has_its_recipe(ModelKind model, bool conditional, bool averagesDLoss, int? mnistSize, int folderSize)
    {
        GanRecipe recipe = new GanConfig { Model = model }.Recipe;
        Assert.Equal(model, recipe.Kind);
        Assert.Equal(conditional, recipe.IsConditional);
        Assert.Equal(averagesDLoss, recipe.AveragesDiscriminatorLoss);
        Assert.Equal(mnistSize, recipe.DefaultImageSize(mnist: true));
        Assert.Equal(folderSize, recipe.DefaultImageSize(mnist: false));
    }

    [Fact]
    public void A_conditional_recipe_refuses_unlabelled_data()
    {
        var config = new GanConfig { Model = ModelKind.Cdcgan };
        var e = Assert.Throws<ArgumentException>(() => config.Recipe.CreateGenerator(config, 1, 16, 1));
        Assert.Contains("--model cdcgan is conditional", e.Message);
    }
}
