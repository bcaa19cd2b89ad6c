namespace Framework.Models;

/// <summary>
/// A field the module tree ignores: the modules or tensors it holds are registered another way (as the
/// containers do), or are not this module's to train and save.
/// </summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class SkipRegistrationAttribute : Attribute;
