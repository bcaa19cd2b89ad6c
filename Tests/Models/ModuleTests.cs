using Framework.Models;
using Xunit;

namespace Framework.Tests.Models;

public class ModuleTests
{
    private sealed class Mlp : Module
    {
        public readonly Linear Fc1 = new(2, 3);
        private readonly Linear _fc2 = new(3, 1, bias: false);
        private readonly Tensor _scale = Parameter(Tensor.Ones(1));
        private readonly Tensor _notAParameter = Tensor.Zeros(5);   // an unmarked tensor field is ignored

        public override Tensor Forward(Tensor x) => _fc2.Forward(F.Relu(Fc1.Forward(x))) * _scale;
        public Tensor Unregistered => _notAParameter;
    }

    private sealed class Block : Module
    {
        public Block()
        {
            RegisterModule("conv_like", new Linear(4, 4));
            RegisterBuffer("running_mean", Tensor.Zeros(4));
            RegisterBuffer("scratch", Tensor.Zeros(2), persistent: false);
        }
    }

    private sealed class Net : Module
    {
        public Sequential Layer1 { get; } = new(new Block(), new Block());
        public Linear Head { get; } = new(4, 2);
    }

    [Fact]
    public void Fields_and_auto_properties_register_under_their_snake_case_names()
    {
        var m = new Mlp();
        var names = m.NamedParameters().Select(p => p.Name).ToArray();
        // as PyTorch: a module's own parameters first, then its children's
        Assert.Equal(["scale", "fc1.weight", "fc1.bias", "fc2.weight"], names);
        Assert.Equal(["fc1", "fc2"], m.NamedChildren().Select(c => c.Name).ToArray());
        Assert.All(m.Parameters(), p => Assert.True(p.RequiresGrad && p.IsLeaf));
        Assert.Equal(2 * 3 + 3 + 3 + 1, m.ParameterCount());
    }

    [Fact]
    public void Nested_modules_get_pytorch_dotted_names_and_order()
    {
        var net = new Net();
        Assert.Equal(["layer1.0.conv_like.weight", "layer1.0.conv_like.bias", "layer1.1.conv_like.weight", "layer1.1.conv_like.bias", "head.weight", "head.bias"],
            net.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal(["layer1.0.running_mean", "layer1.0.scratch", "layer1.1.running_mean", "layer1.1.scratch"],
            net.NamedBuffers().Select(b => b.Name).ToArray());
        // the state dict holds parameters and persistent buffers, each module's own before its children's (PyTorch's order)
        Assert.Equal(["layer1.0.running_mean", "layer1.0.conv_like.weight", "layer1.0.conv_like.bias",
                      "layer1.1.running_mean", "layer1.1.conv_like.weight", "layer1.1.conv_like.bias", "head.weight", "head.bias"],
            net.StateDict().Keys.ToArray());
        Assert.Equal(["", "layer1", "layer1.0", "layer1.0.conv_like", "layer1.1", "layer1.1.conv_like", "head"],
            net.NamedModules().Select(m => m.Name).ToArray());
        Assert.Same(net.Layer1[1], net.GetSubmodule("layer1.1"));
        var ex = Assert.Throws<ArgumentException>(() => net.GetSubmodule("layer1.7"));
        Assert.Contains("\"7\"", ex.Message);
    }

    [Fact]
    public void A_shared_parameter_is_listed_once()
    {
        var shared = new Linear(2, 2);
        var seq = new Sequential(shared, new ReLU(), shared);
        Assert.Equal(2, seq.Parameters().Count());
        Assert.Equal(["0.weight", "0.bias"], seq.NamedParameters().Select(p => p.Name).ToArray());
        // the state dict, like PyTorch's, names it under both paths
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], seq.StateDict().Keys.ToArray());
    }

    private sealed class WithPlainList : Module
    {
        private readonly List<Linear> _layers = [new Linear(1, 1)];
        public int Count => _layers.Count;
    }

    [Fact]
    public void Modules_in_a_plain_list_are_refused_with_a_pointer_to_ModuleList()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new WithPlainList().Parameters().ToList());
        Assert.Contains("ModuleList", ex.Message);
        Assert.Contains("layers", ex.Message);
    }

    [Fact]
    public void Duplicate_and_dotted_names_are_refused()
    {
        var b = new Block();
        Assert.Throws<ArgumentException>(() => b.RegisterBuffer("running_mean", Tensor.Zeros(1)));
        Assert.Throws<ArgumentException>(() => b.RegisterModule("a.b", new ReLU()));
        Assert.Throws<ArgumentException>(() => b.RegisterParameter("", Tensor.Zeros(1)));
    }

    [Fact]
    public void Train_and_eval_reach_every_module()
    {
        var net = new Net();
        Assert.All(net.Modules(), m => Assert.True(m.Training));
        Assert.Same(net, net.Eval());
        Assert.All(net.Modules(), m => Assert.False(m.Training));
        net.Train();
        Assert.All(net.Modules(), m => Assert.True(m.Training));
    }

    [Fact]
    public void ZeroGrad_clears_gradients_after_backward()
    {
        var m = new Mlp();
        m.Forward(Tensor.Randn(4, 2)).Sum().Backward();
        Assert.All(m.Parameters(), p => Assert.NotNull(p.Grad));
        m.ZeroGrad();
        Assert.All(m.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void State_dict_round_trips_into_a_fresh_module()
    {
        Net a, b;
        using (GeneratorScope.Begin(1)) a = new Net();
        using (GeneratorScope.Begin(2)) b = new Net();
        Assert.NotEqual(a.Head.Weight.ToArray<float>(), b.Head.Weight.ToArray<float>());
        a.GetSubmodule("layer1.0").StateDict();
        var result = b.LoadStateDict(a.StateDict());
        Assert.Empty(result.MissingKeys);
        Assert.Empty(result.UnexpectedKeys);
        foreach (var (name, t) in a.StateDict())
            Assert.Equal(t.ToDoubleArray(), b.StateDict()[name].ToDoubleArray());
        var x = Tensor.Randn(3, 4);
        Assert.Equal(a.Head.Forward(x).ToArray<float>(), b.Head.Forward(x).ToArray<float>());
    }

    [Fact]
    public void A_bad_state_dict_is_refused_whole_and_leaves_the_module_unchanged()
    {
        var a = new Net();
        var before = a.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.CloneData().ToDoubleArray());
        var state = new Net().StateDict();
        state.Remove("head.bias");
        state["extra.weight"] = Tensor.Zeros(1);
        state["head.weight"] = Tensor.Zeros(3, 4);
        var ex = Assert.Throws<ArgumentException>(() => a.LoadStateDict(state));
        Assert.Contains("Missing key(s) in state_dict: \"head.bias\"", ex.Message);
        Assert.Contains("Unexpected key(s) in state_dict: \"extra.weight\"", ex.Message);
        Assert.Contains("size mismatch for head.weight", ex.Message);
        Assert.Contains("(3, 4)", ex.Message);
        // layer1.* entries were valid but nothing was copied
        foreach (var (name, t) in a.StateDict()) Assert.Equal(before[name], t.ToDoubleArray());

        var dtypeState = new Net().StateDict();
        dtypeState["head.bias"] = Tensor.Zeros(new Shape(2), DType.Float64);
        var dex = Assert.Throws<ArgumentException>(() => a.LoadStateDict(dtypeState));
        Assert.Contains("dtype mismatch for head.bias", dex.Message);
    }

    [Fact]
    public void Non_strict_loading_reports_missing_and_unexpected_keys()
    {
        var a = new Net();
        var state = new Net().StateDict();
        state.Remove("head.bias");
        state["extra"] = Tensor.Zeros(1);
        var r = a.LoadStateDict(state, strict: false);
        Assert.Equal(["head.bias"], r.MissingKeys);
        Assert.Equal(["extra"], r.UnexpectedKeys);
        Assert.Equal(state["head.weight"].ToArray<float>(), a.Head.Weight.ToArray<float>());
    }

    [Fact]
    public void To_dtype_converts_parameters_and_keeps_them_parameters()
    {
        var m = new Mlp().To(DType.Float64);
        Assert.All(m.Parameters(), p => Assert.Equal(DType.Float64, p.DType));
        Assert.All(m.Parameters(), p => Assert.True(Module.IsParameter(p) && p.RequiresGrad));
        Assert.Equal(4, m.Parameters().Count());
        var y = m.Forward(Tensor.Randn(new Shape(2, 2), DType.Float64));
        Assert.Equal(DType.Float64, y.DType);
        Assert.Throws<ArgumentException>(() => m.To(DType.Int64));
    }

    [Fact]
    public void Repr_prints_the_pytorch_module_tree()
    {
        var net = new Sequential(new Linear(2, 16), new ReLU(), new Dropout(0.25), new Linear(16, 3, bias: false), new Softmax(1));
        Assert.Equal("""
            Sequential(
              (0): Linear(in_features=2, out_features=16, bias=True)
              (1): ReLU()
              (2): Dropout(p=0.25, inplace=False)
              (3): Linear(in_features=16, out_features=3, bias=False)
              (4): Softmax(dim=1)
            )
            """.ReplaceLineEndings("\n"), net.Repr());
        Assert.Equal("LeakyReLU(negative_slope=0.01)", new LeakyReLU().Repr());
        Assert.Equal("Softplus(beta=1.0, threshold=20.0)", new Softplus().Repr());
        Assert.Equal("GELU(approximate='none')", new GELU().Repr());
        Assert.Equal("Flatten(start_dim=1, end_dim=-1)", new Flatten().Repr());
    }

    [Fact]
    public void ToString_adds_the_parameter_table_and_totals()
    {
        var s = new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 3)).ToString();
        Assert.Contains("0.weight", s);
        Assert.Contains("(16, 2)", s);
        Assert.Contains("2.bias", s);
        Assert.Contains("total: 99 parameters in 4 tensors", s);
    }

    [Theory]
    [InlineData("fc1", "fc1")]
    [InlineData("_fc1", "fc1")]
    [InlineData("Fc1", "fc1")]
    [InlineData("<RunningMean>k__BackingField", "running_mean")]
    [InlineData("Layer1", "layer1")]
    [InlineData("ASPP", "aspp")]
    [InlineData("HTTPServer", "http_server")]
    [InlineData("convTranspose2d", "conv_transpose2d")]
    public void Field_names_map_to_python_attribute_names(string field, string expected) =>
        Assert.Equal(expected, FieldDiscovery.PythonName(field));

    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(0.01, "0.01")]
    [InlineData(1e-5, "1e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(20.0, "20.0")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e16, "1e+16")]
    [InlineData(123.456, "123.456")]
    [InlineData(-2.5e-7, "-2.5e-07")]
    public void Floats_print_as_python_repr(double v, string expected) => Assert.Equal(expected, Py.Float(v));
}

