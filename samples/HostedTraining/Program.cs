// HostedTraining: the Generic Host trains STEM-Net on the bundled KuaiRand sample as configured in
// appsettings.json (section "Stem"), logs every epoch, prints the test AUC table, writes the model
// artifact and reports, and exits.
//
//   dotnet run --project samples/HostedTraining [-- --Stem:Training:Epochs=5 --Stem:OutputDirectory=DIR]
//
// Any setting can be overridden on the command line or with environment variables (Stem__Training__Epochs=5).
using HostedTraining;
using Microsoft.Extensions.Hosting;

using var host = HostedTrainingApp.Build(args);
var training = HostedTrainingApp.Service(host);
await host.RunAsync();
return training.Report is null ? 1 : 0;
