using System.Collections.Frozen;

namespace RawGan.Gan.Recipes;

/// <summary>The recipe of every <see cref="ModelKind"/>: registering a new model is one line here.</summary>
public static class GanRecipes
{
    private static readonly FrozenDictionary<ModelKind, GanRecipe> ByKind =
        new GanRecipe[] { new MlpRecipe(), new DcganRecipe(conditional: false), new CganRecipe(), new DcganRecipe(conditional: true) }
            .ToFrozenDictionary(r => r.Kind);

    public static GanRecipe For(ModelKind kind) =>
        ByKind.TryGetValue(kind, out GanRecipe? recipe) ? recipe : throw new ArgumentOutOfRangeException(nameof(kind), kind, "No recipe is registered for this model.");
}
