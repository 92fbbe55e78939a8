// Serving: an ASP.NET Core minimal API over a trained model artifact.
//
//   dotnet run --project samples/HostedTraining   # writes runs/hosted-training/model
//   dotnet run --project samples/Serving          # serves it on http://127.0.0.1:5080
//   dotnet run --project samples/Serving -- --Stem:ArtifactPath=/abs/path/model --urls=http://127.0.0.1:8080
//
//   curl -s http://127.0.0.1:5080/health
//   curl -s http://127.0.0.1:5080/score -H 'Content-Type: application/json' \
//        -d '{"rows": [{"user_id": "712", "video_id": 5239, "tab": 1, "hourmin": 1300}]}'
await using var app = Serving.ServingApp.Build(args);
await app.RunAsync();
