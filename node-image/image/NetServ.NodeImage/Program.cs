using NetServ.NodeImage;

// netserv-image: builds the node image (Docker image, install tarball, bootable disk) from the published payload.
return await ImageCommands.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
