// dotnet run --project Examples -- <lab> [--quick] [--seed N] [--device NAME] [--out DIR] [--data NAME]
return Framework.Examples.Cli.Run(args);
