namespace RawGan.Autograd;

/// <summary>Whether ops record the graph. <c>using (GradMode.NoGrad()) { ... }</c> turns recording off for
/// sampling, evaluation and optimiser updates, as torch.no_grad() does.</summary>
public static class GradMode
{
    [ThreadStatic] private static int _disabledDepth;

    public static bool Enabled => _disabledDepth == 0;

    public static IDisposable NoGrad()
    {
        _disabledDepth++;
        return new Restore();
    }

    private sealed class Restore : IDisposable
    {
        private bool _done;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            _disabledDepth--;
        }
    }
}
