using BsmTrace.Service.Cli;
using BsmTrace.Service.Hosting;

// SIGHUP, SIGTERM and SIGINT end the process by default: they are taken before anything else is done.
using var signals = new ProcessSignals();
return CommandLine.Run(args, Console.Out, Console.Error, signals);
