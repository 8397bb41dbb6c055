using BsmTrace.Service.Cli;

return CommandLine.Run(args, Console.Out, Console.Error);
