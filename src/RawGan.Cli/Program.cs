Console.WriteLine("rawgan");
